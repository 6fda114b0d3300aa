import type { MessageStatus, MessageStatusReported, SmsSendResult } from '@sms-survey/contracts';
import { tallyOf, type Tx } from '../apply-once.js';
import type { OutboxEntry } from '../outbox-relay.js';
import { endSession } from '../session-events.js';
import { UNSUBSCRIBED_RECIPIENT, optOut } from '../suppression.js';

/** Twilio reports statuses out of order; a status only replaces one that comes earlier in a message's life. */
const STATUS_RANK: Record<string, number> = {
  requested: 0, accepted: 1, scheduled: 1, queued: 2, sending: 3, sent: 4, delivered: 5, read: 6, undelivered: 7, failed: 7, canceled: 7,
};

function rank(status: string): number {
  return STATUS_RANK[status] ?? 0;
}

export function earlierStatuses(status: MessageStatus): string[] {
  return Object.keys(STATUS_RANK).filter((s) => rank(s) < rank(status));
}

/**
 * A survey SMS that cannot be delivered ends its session as `failed` (or `opted-out` when Twilio says the
 * customer unsubscribed, which also puts them on our suppression list).
 */
async function messageFailed(tx: Tx, commandId: string | undefined, customer: string, errorCode: number | undefined, reason: string, now: Date): Promise<OutboxEntry[]> {
  if (errorCode === UNSUBSCRIBED_RECIPIENT) return optOut(tx, customer, `Twilio ${UNSUBSCRIBED_RECIPIENT}: unsubscribed recipient`, now);
  const message = commandId ? await tx.outboundMessage.findUnique({ where: { commandId } }) : null;
  if (!message?.sessionId) return [];
  const [session] = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM survey_session WHERE id = ${message.sessionId}::uuid AND status = 'active' FOR UPDATE`;
  if (!session) return [];
  return [await endSession(tx, await tx.surveySession.findUniqueOrThrow({ where: { id: session.id } }), 'failed', now, reason)];
}

/** A status callback: recorded on the outbound message (found by our command id, else by MessageSid). */
export async function handleMessageStatus(tx: Tx, event: MessageStatusReported, now: Date): Promise<OutboxEntry[]> {
  const { payload: p } = event;
  const where = p.commandId ? { commandId: p.commandId } : { messageSid: p.messageSid };
  const changed = await tx.outboundMessage.updateMany({
    where: { ...where, status: { in: earlierStatuses(p.status) } },
    data: { status: p.status, errorCode: p.errorCode ?? null, messageSid: p.messageSid },
  });
  if (changed.count > 0) tallyOf(tx)?.statusRecorded(p.from, p.status, p.errorCode);
  if (changed.count === 0 || (p.status !== 'undelivered' && p.status !== 'failed')) return [];
  const commandId = p.commandId ?? (await tx.outboundMessage.findUnique({ where: { messageSid: p.messageSid } }))?.commandId;
  return messageFailed(tx, commandId, p.to, p.errorCode, `SMS ${p.status}${p.errorCode ? ` (Twilio error ${p.errorCode})` : ''}`, now);
}

/** The dispatcher's result: Twilio's MessageSid on success, or the failure. */
export async function handleSendResult(tx: Tx, event: SmsSendResult, now: Date): Promise<OutboxEntry[]> {
  if (event.type === 'sms.send.accepted') {
    const { commandId, messageSid, status } = event.payload;
    await tx.outboundMessage.updateMany({ where: { commandId }, data: { messageSid } });
    await tx.outboundMessage.updateMany({ where: { commandId, status: { in: earlierStatuses(status) } }, data: { status } });
    return [];
  }
  const { commandId, errorCode, reason, to } = event.payload;
  await tx.outboundMessage.updateMany({ where: { commandId }, data: { status: 'failed', errorCode: errorCode ?? null } });
  return messageFailed(tx, commandId, to, errorCode, `SMS not sent: ${reason}`, now);
}
