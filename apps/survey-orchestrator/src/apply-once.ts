import type { Prisma, PrismaClient } from '@sms-survey/db';
import { enqueue, type OutboxEntry, type OutboxRelay } from './outbox-relay.js';

export type Tx = Prisma.TransactionClient;

/**
 * Applies one consumed event exactly once: records its id, runs `apply` and writes the events it returns to
 * the outbox, all in one transaction; then publishes them. A redelivered event finds its id recorded and
 * changes nothing (its outbox rows, if unpublished, are published by the relay's sweep). The events are
 * published from memory after the commit (`OutboxRelay.publishCommitted`).
 */
export async function applyOnce(
  prisma: PrismaClient,
  relay: OutboxRelay,
  consumerGroup: string,
  eventId: string,
  apply: (tx: Tx) => Promise<readonly OutboxEntry[]>,
): Promise<boolean> {
  const written = await prisma.$transaction(async (tx) => {
    const fresh = await tx.$executeRaw`
      INSERT INTO processed_message (consumer_group, message_id) VALUES (${consumerGroup}, ${eventId}::uuid)
      ON CONFLICT DO NOTHING`;
    if (fresh === 0) return undefined;
    const entries = await apply(tx);
    return { ids: await enqueue(tx, entries), entries };
  });
  if (written === undefined) return false;
  await relay.publishCommitted(written.ids, written.entries);
  return true;
}
