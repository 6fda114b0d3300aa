import { Prisma, inSqlTransaction } from '@sms-survey/db';
import type pg from 'pg';

/** This replica's hold on one partition of sms.send.v1. */
export interface Lease {
  /** Ledger claims carry it: one made under an older epoch fails (send-ledger.ts). */
  epoch: string;
  /** Since when this replica has held the partition without a break (the pacer's takeover time). */
  heldSinceMs: number;
}

/**
 * The fencing of dispatcher replicas. On every assignment a replica takes each of its partitions'
 * lease, which raises the partition's epoch; a claim in the send ledger succeeds only under the current epoch.
 * So a replica that lost a partition, whether it knows yet or not (a rebalance it has not seen, a pause
 * longer than the session timeout), can claim no more of its commands once the new holder has taken it.
 *
 * A replica that takes back a lease it held without a break (the previous epoch is its own) keeps its
 * `heldSinceMs`: its senders' windows need no fresh second (send-pacer.ts).
 */
export function createPartitionLeases(pool: pg.Pool, owner: string, now: () => number = Date.now) {
  const held = new Map<string, Lease>();
  const key = (topic: string, partition: number) => `${topic}|${partition}`;

  return {
    owner,
    async take(partitions: readonly { topic: string; partition: number }[]): Promise<void> {
      if (partitions.length === 0) return;
      const sorted = [...partitions].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
      const topics = sorted.map((p) => p.topic);
      const numbers = sorted.map((p) => p.partition);
      const takenAt = now();
      const rows = await inSqlTransaction(pool, async (sql) => {
        const previous = await sql<{ topic: string; partition: number; owner: string; epoch: string }>(Prisma.sql`
          SELECT l.topic, l.partition, l.owner, l.epoch::text FROM send_partition_lease l
          JOIN unnest(${topics}::text[], ${numbers}::int[]) AS u(topic, partition) ON l.topic = u.topic AND l.partition = u.partition
          ORDER BY l.topic, l.partition
          FOR UPDATE OF l`);
        const taken = await sql<{ topic: string; partition: number; epoch: string }>(Prisma.sql`
          INSERT INTO send_partition_lease (topic, partition, owner, epoch, taken_at)
          SELECT topic, partition, ${owner}, 1, now() FROM unnest(${topics}::text[], ${numbers}::int[]) AS u(topic, partition)
          ON CONFLICT (topic, partition) DO UPDATE SET owner = EXCLUDED.owner, epoch = send_partition_lease.epoch + 1, taken_at = now()
          RETURNING topic, partition, epoch::text`);
        return { previous, taken };
      });
      const before = new Map(rows.previous.map((r) => [key(r.topic, r.partition), r]));
      for (const row of rows.taken) {
        const k = key(row.topic, row.partition);
        const mine = held.get(k);
        const last = before.get(k);
        const unbroken = mine !== undefined && last !== undefined && last.owner === owner && last.epoch === mine.epoch;
        held.set(k, { epoch: row.epoch, heldSinceMs: unbroken ? mine.heldSinceMs : takenAt });
      }
    },
    /** The lease this replica holds on the partition, if it took one. */
    of(topic: string, partition: number): Lease | undefined {
      return held.get(key(topic, partition));
    },
  };
}

export type PartitionLeases = ReturnType<typeof createPartitionLeases>;
