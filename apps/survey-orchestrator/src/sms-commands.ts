import { randomUUID } from 'node:crypto';
import { SmsSendRequested, Topics, createMessage } from '@sms-survey/contracts';
import type { Tx } from './apply-once.js';
import type { OutboxEntry } from './outbox-relay.js';

/**
 * Queues one SMS to a customer and records it as an outbound message whose delivery we track. With
 * `notBefore`, the command is held in the outbox until then.
 */
export async function queueSms(
  tx: Tx,
  sms: { sessionId?: string; from: string; to: string; body: string; priority?: 'reply' | 'new-survey'; notBefore?: Date; spacingSeconds?: number },
): Promise<OutboxEntry> {
  const commandId = randomUUID();
  await tx.outboundMessage.create({
    data: { commandId, sessionId: sms.sessionId, customer: sms.to, fromNumber: sms.from, body: sms.body, status: 'requested' },
  });
  const message = createMessage(SmsSendRequested, {
    type: 'sms.send.requested',
    schemaVersion: 1,
    payload: {
      commandId,
      sessionId: sms.sessionId,
      from: sms.from,
      to: sms.to,
      body: sms.body,
      priority: sms.priority ?? 'reply',
      notBefore: sms.notBefore?.toISOString(),
      spacingSeconds: sms.spacingSeconds,
    },
  });
  return { topic: Topics.smsSend, key: sms.from, message, availableAt: sms.notBefore };
}
