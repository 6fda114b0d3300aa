import { randomUUID } from 'node:crypto';
import { SmsSendRequested, Topics, createMessage } from '@sms-survey/contracts';
import type { OutgoingSms } from '@sms-survey/survey-domain';
import type { OutboxEntry } from './outbox-relay.js';

let lastCreatedAt = 0;
function nextCreatedAt(): Date {
  lastCreatedAt = Math.max(Date.now(), lastCreatedAt + 1);
  return new Date(lastCreatedAt);
}

export interface SmsToQueue {
  sessionId?: string;
  from: string;
  to: string;
  body: string;
  priority?: 'reply' | 'new-survey';
  notBefore?: Date;
  spacingSeconds?: number;
}

/** An SMS command and the outbound_message row that tracks its delivery, not yet written. */
export interface SmsCommand {
  row: { commandId: string; sessionId: string | null; customer: string; from: string; body: string; createdAt: Date };
  entry: OutboxEntry;
}

/** Builds the command for one SMS to a customer. With `notBefore`, the command is held in the outbox until then. */
export function smsCommand(sms: SmsToQueue): SmsCommand {
  const commandId = randomUUID();
  // The timestamps come from this process's clock, strictly increasing (millisecond columns), so the SMS of one
  // transaction keep their order by created_at even when queued within the same millisecond.
  const createdAt = nextCreatedAt();
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
  return {
    row: { commandId, sessionId: sms.sessionId ?? null, customer: sms.to, from: sms.from, body: sms.body, createdAt },
    entry: { topic: Topics.smsSend, key: sms.from, message, availableAt: sms.notBefore },
  };
}

/** Where a batch of survey SMS goes, and from when: `sendAt` (the sending hours' next opening) or else `now`. */
export interface OutgoingTo {
  sessionId?: string;
  from: string;
  to: string;
  priority: 'reply' | 'new-survey';
  now: Date;
  sendAt?: Date;
}

/**
 * The commands for a batch of survey SMS (seed step 3): each at its delay after `sendAt` (the customer's
 * sending hours may hold the batch, whole, until they open), durably scheduled in the outbox.
 */
export function outgoingCommands(outgoing: readonly OutgoingSms[], sms: OutgoingTo): SmsCommand[] {
  let previousDelay = 0;
  const base = Math.max(sms.now.getTime(), sms.sendAt?.getTime() ?? 0);
  return outgoing.map((o) => {
    const at = new Date(base + o.delaySeconds * 1000);
    const later = at.getTime() > sms.now.getTime();
    // The outbox holds it until its time; the dispatcher also keeps the gap after the previous SMS actually left.
    const command = smsCommand({
      sessionId: sms.sessionId,
      from: sms.from,
      to: sms.to,
      priority: sms.priority,
      body: o.body,
      notBefore: later ? at : undefined,
      spacingSeconds: o.delaySeconds > 0 ? o.delaySeconds - previousDelay : undefined,
    });
    previousDelay = o.delaySeconds;
    return command;
  });
}
