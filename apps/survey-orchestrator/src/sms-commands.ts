import { randomUUID } from 'node:crypto';
import { SmsSendRequested, Topics, createMessage } from '@sms-survey/contracts';
import { Prisma } from '@sms-survey/db';
import type { Tx } from './apply-once.js';
import { COMMITTED_GRACE_SECONDS, type OutboxEntry } from './outbox-relay.js';

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

/** The INSERT that records SMS commands as outbound messages whose delivery we track (at least one command). */
export function insertOutboundSql(commands: readonly SmsCommand[]): Prisma.Sql {
  const rows = commands.map((c) => c.row);
  return Prisma.sql`
    INSERT INTO outbound_message (command_id, session_id, customer, from_number, body, status, created_at, updated_at)
    SELECT u.command_id, u.session_id, u.customer, u.from_number, u.body, 'requested', u.created_at, u.created_at
    FROM unnest(${rows.map((r) => r.commandId)}::uuid[], ${rows.map((r) => r.sessionId)}::uuid[], ${rows.map((r) => r.customer)}::text[],
                ${rows.map((r) => r.from)}::text[], ${rows.map((r) => r.body)}::text[], ${rows.map((r) => r.createdAt.toISOString())}::timestamptz[])
         AS u(command_id, session_id, customer, from_number, body, created_at)`;
}

/** Records SMS commands as outbound messages: one INSERT however many (raw SQL: the ORM would read each back). */
export async function insertOutbound(tx: Tx, commands: readonly SmsCommand[]): Promise<void> {
  if (commands.length > 0) await tx.$executeRaw(insertOutboundSql(commands));
}

/** Queues one SMS to a customer and records it as an outbound message whose delivery we track. */
export async function queueSms(tx: Tx, sms: SmsToQueue): Promise<OutboxEntry> {
  const command = smsCommand(sms);
  await insertOutbound(tx, [command]);
  return command.entry;
}

/**
 * Cancels the session's SMS still held in the outbox (a survey's later elements wait there for their time), so
 * nothing more is sent once the session has ended: after STOP, a failed send, expiry or a newer survey. A row
 * being published right now is waited for and then left alone (it is on its way to the dispatcher), and so is a
 * row that was due at once and is younger than COMMITTED_GRACE_SECONDS: its transaction publishes it from memory
 * right after committing (outbox-relay.ts `publishCommitted`), so it is on its way too.
 */
export async function cancelHeldSms(tx: Tx, sessionId: string): Promise<void> {
  const held = await tx.$queryRaw<{ command_id: string }[]>`
    DELETE FROM outbox_event
    WHERE published_at IS NULL AND topic = ${Topics.smsSend.name} AND payload->'payload'->>'sessionId' = ${sessionId}
      AND (available_at > created_at OR created_at < now() - make_interval(secs => ${COMMITTED_GRACE_SECONDS}))
    RETURNING payload->'payload'->>'commandId' AS command_id`;
  if (held.length > 0) {
    await tx.outboundMessage.updateMany({ where: { commandId: { in: held.map((h) => h.command_id) }, status: 'requested' }, data: { status: 'canceled' } });
  }
}
