import type { Prisma, PrismaClient } from '@sms-survey/db';
import { enqueue, type OutboxEntry, type OutboxRelay } from './outbox-relay.js';

export type Tx = Prisma.TransactionClient;

/**
 * Applies one consumed event exactly once: records its id, runs `apply` and writes the events it returns to
 * the outbox, all in one transaction; then publishes them. A redelivered event finds its id recorded and
 * changes nothing (its outbox rows, if unpublished, are published by the relay's sweep).
 */
export async function applyOnce(
  prisma: PrismaClient,
  relay: OutboxRelay,
  consumerGroup: string,
  eventId: string,
  apply: (tx: Tx) => Promise<readonly OutboxEntry[]>,
): Promise<boolean> {
  const outboxIds = await prisma.$transaction(async (tx) => {
    const fresh = await tx.$executeRaw`
      INSERT INTO processed_message (consumer_group, message_id) VALUES (${consumerGroup}, ${eventId}::uuid)
      ON CONFLICT DO NOTHING`;
    if (fresh === 0) return undefined;
    return enqueue(tx, await apply(tx));
  });
  if (outboxIds === undefined) return false;
  await relay.publish(outboxIds);
  return true;
}
