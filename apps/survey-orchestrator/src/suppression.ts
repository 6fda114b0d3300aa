import type { Tx } from './apply-once.js';
import type { OutboxEntry } from './outbox-relay.js';
import { endSession } from './session-events.js';

export const UNSUBSCRIBED_RECIPIENT = 21610;

export async function isSuppressed(tx: Tx, customer: string): Promise<boolean> {
  return (await tx.suppressedCustomer.findUnique({ where: { customer } })) !== null;
}

/** The customer opted out: put them on the suppression list and end their active sessions as `opted-out`. */
export async function optOut(tx: Tx, customer: string, reason: string, now: Date): Promise<OutboxEntry[]> {
  await tx.suppressedCustomer.upsert({ where: { customer }, create: { customer, reason }, update: {} });
  const active = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM survey_session WHERE customer = ${customer} AND status = 'active' FOR UPDATE`;
  const out: OutboxEntry[] = [];
  for (const { id } of active) {
    out.push(await endSession(tx, await tx.surveySession.findUniqueOrThrow({ where: { id } }), 'opted-out', now, reason));
  }
  return out;
}

export async function optIn(tx: Tx, customer: string): Promise<void> {
  await tx.suppressedCustomer.deleteMany({ where: { customer } });
}
