import type { Prisma, PrismaClient } from '@sms-survey/db';
import { enqueue, type OutboxEntry, type OutboxRelay } from './outbox-relay.js';

export type Tx = Prisma.TransactionClient;

/**
 * The outbox entries a transaction produces. `add` collects them in order; `flush` writes what was added
 * since the last flush with one INSERT (handlers flush before work that reads the outbox table, e.g.
 * cancelling a session's held SMS). Everything flushed is published after the commit.
 */
export class TransactionOutbox {
  private pending: OutboxEntry[] = [];
  readonly ids: bigint[] = [];
  readonly entries: OutboxEntry[] = [];

  constructor(private readonly tx: Tx) {}

  add(entries: readonly OutboxEntry[]): void {
    this.pending.push(...entries);
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.ids.push(...(await enqueue(this.tx, batch)));
    this.entries.push(...batch);
  }
}

/** Long enough for a batch of several hundred events; Prisma's default (5 s) is meant for single requests. */
const BATCH_TRANSACTION_TIMEOUT_MS = 60_000;

/**
 * Applies consumed events exactly once, all in one transaction: records their ids, runs `apply` with the ones
 * not applied before (first occurrence, in the order given), and writes the outbox entries it added; then
 * publishes them from memory after the commit (`OutboxRelay.publishCommitted`). A redelivered event finds its
 * id recorded and changes nothing (its outbox rows, if unpublished, are published by the relay's sweep).
 * One transaction per batch shares its commit (a WAL flush), the publish and the marking UPDATE between all
 * of its events. Returns the ids applied now.
 */
export async function applyBatchOnce<E extends { id: string }>(
  prisma: PrismaClient,
  relay: OutboxRelay,
  consumerGroup: string,
  events: readonly E[],
  apply: (tx: Tx, fresh: E[], outbox: TransactionOutbox) => Promise<void>,
): Promise<Set<string>> {
  const written = await prisma.$transaction(
    async (tx) => {
      const ids = [...new Set(events.map((e) => e.id))];
      const recorded = await tx.$queryRaw<{ id: string }[]>`
        INSERT INTO processed_message (consumer_group, message_id)
        SELECT ${consumerGroup}, id FROM unnest(${ids}::uuid[]) AS u(id)
        ON CONFLICT DO NOTHING
        RETURNING message_id::text AS id`;
      const freshIds = new Set(recorded.map((r) => r.id));
      if (freshIds.size === 0) return { freshIds, outbox: undefined };
      const unapplied = new Set(freshIds);
      const fresh = events.filter((e) => unapplied.delete(e.id)); // a repeated id counts once, at its first place
      const outbox = new TransactionOutbox(tx);
      await apply(tx, fresh, outbox);
      await outbox.flush();
      return { freshIds, outbox };
    },
    { timeout: BATCH_TRANSACTION_TIMEOUT_MS },
  );
  if (written.outbox) await relay.publishCommitted(written.outbox.ids, written.outbox.entries);
  return written.freshIds;
}

/** `applyBatchOnce` for one event whose handler returns its outbox entries; false when it was applied before. */
export async function applyOnce(
  prisma: PrismaClient,
  relay: OutboxRelay,
  consumerGroup: string,
  eventId: string,
  apply: (tx: Tx) => Promise<readonly OutboxEntry[]>,
): Promise<boolean> {
  const applied = await applyBatchOnce(prisma, relay, consumerGroup, [{ id: eventId }], async (tx, fresh, outbox) => {
    if (fresh.length > 0) outbox.add(await apply(tx));
  });
  return applied.size > 0;
}
