import type { MessageStatus, MessageStatusReported, SmsSendResult } from '@sms-survey/contracts';
import type { Tx } from '../apply-once.js';
import type { OutboxEntry } from '../outbox-relay.js';

/** Twilio reports statuses out of order; a status only replaces one that comes earlier in a message's life. */
const STATUS_RANK: Record<string, number> = {
  requested: 0, accepted: 1, scheduled: 1, queued: 2, sending: 3, sent: 4, delivered: 5, read: 6, undelivered: 7, failed: 7, canceled: 7,
};

function rank(status: string): number {
  return STATUS_RANK[status] ?? 0;
}

function earlierStatuses(status: MessageStatus): string[] {
  return Object.keys(STATUS_RANK).filter((s) => rank(s) < rank(status));
}

/** A status callback: recorded on the outbound message (found by our command id, else by MessageSid). */
export async function handleMessageStatus(tx: Tx, event: MessageStatusReported): Promise<OutboxEntry[]> {
  const { payload: p } = event;
  const where = p.commandId ? { commandId: p.commandId } : { messageSid: p.messageSid };
  await tx.outboundMessage.updateMany({
    where: { ...where, status: { in: earlierStatuses(p.status) } },
    data: { status: p.status, errorCode: p.errorCode ?? null, messageSid: p.messageSid },
  });
  return [];
}

/** The dispatcher's result: Twilio's MessageSid on success, or the failure. */
export async function handleSendResult(tx: Tx, event: SmsSendResult): Promise<OutboxEntry[]> {
  if (event.type === 'sms.send.accepted') {
    const { commandId, messageSid, status } = event.payload;
    await tx.outboundMessage.updateMany({ where: { commandId }, data: { messageSid } });
    await tx.outboundMessage.updateMany({ where: { commandId, status: { in: earlierStatuses(status) } }, data: { status } });
  } else {
    const { commandId, errorCode } = event.payload;
    await tx.outboundMessage.updateMany({ where: { commandId }, data: { status: 'failed', errorCode: errorCode ?? null } });
  }
  return [];
}
