import { allTopics, type TopicDefinition } from '@sms-survey/contracts';
import { Prisma, inSqlTransaction, poolSql, type Sql } from '@sms-survey/db';
import { contextFromTraceparent, type EventProducer, type OutgoingEvent } from '@sms-survey/kafka';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { SessionTally } from './survey-metrics.js';

export interface OutboxEntry {
  topic: TopicDefinition;
  key: string;
  message: { id: string; type: string };
  /** Publish no earlier than this (a durable timer); now when absent. */
  availableAt?: Date;
  /**
   * The W3C traceparent of the work that produced the entry (the consumed message's span), stored with the row and
   * put on the published message, so the trace goes on across the commit; TransactionOutbox sets it.
   */
  traceparent?: string;
}

type OutboxRow = { id: string; topic: string; key: string; payload: unknown; traceparent: string | null };

/**
 * The INSERT that writes events to the outbox (at least one), returning their ids. created_at and (unless
 * scheduled) available_at are the transaction's now(), so a row due at once has available_at = created_at
 * (which the sweep's grace period relies on).
 */
export function outboxInsertSql(entries: readonly OutboxEntry[]): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO outbox_event (topic, key, payload, available_at, traceparent)
    SELECT u.topic, u.key, u.payload::jsonb, COALESCE(NULLIF(u.at, '')::timestamptz, now()), u.traceparent
    FROM unnest(${entries.map((e) => e.topic.name)}::text[], ${entries.map((e) => e.key)}::text[],
                ${entries.map((e) => JSON.stringify(e.message))}::text[], ${entries.map((e) => e.availableAt?.toISOString() ?? '')}::text[],
                ${entries.map((e) => e.traceparent ?? null)}::text[])
         WITH ORDINALITY AS u(topic, key, payload, at, traceparent, ord)
    ORDER BY u.ord
    RETURNING id`;
}

/** One INSERT: the sequence numbers its rows in the order given, so ascending ids match the entries in order. */
export function outboxIds(rows: readonly { id: bigint | string }[]): bigint[] {
  return rows.map((r) => BigInt(r.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Writes events to the outbox inside the caller's transaction; they are published after it commits. */
export async function enqueue(sql: Sql, entries: readonly OutboxEntry[]): Promise<bigint[]> {
  if (entries.length === 0) return [];
  return outboxIds(await sql<{ id: bigint | string }>(outboxInsertSql(entries)));
}

/**
 * How long the sweep leaves a row that is due from the start (no `availableAt`) to the transaction that wrote it,
 * which publishes it from memory right after its commit (`publishCommitted`). Only a crash, or a failed
 * publish, leaves such a row behind longer.
 */
export const COMMITTED_GRACE_SECONDS = 5;

const topicsByName = new Map(allTopics.map((t) => [t.name, t]));
const SWEEP_LOCK = 4_242_001;

/**
 * Publishes outbox rows. The transaction that wrote them publishes the due ones at once (`publishCommitted`); a sweep
 * every `sweepIntervalMs` publishes rows that became due (scheduled SMS) or were left behind by a crash. Rows
 * are locked while published (FOR UPDATE SKIP LOCKED), and the sweep runs on one replica at a time (advisory
 * lock), so in normal operation each row is published once and in order. After a crash between publishing and
 * marking, a row is published again: consumers de-duplicate by event id.
 */
export function createOutboxRelay(
  pool: pg.Pool,
  producer: EventProducer,
  logger: Logger,
  options: {
    sweepIntervalMs?: number;
    /** Told what each transaction committed (the survey metrics count from it): see `committed`. */
    onCommitted?: (entries: readonly OutboxEntry[], tally?: SessionTally) => void;
  } = {},
) {
  const markSql = poolSql(pool);
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> | undefined;
  let pendingMarks: bigint[] = [];
  let marking: Promise<void> | undefined;

  /**
   * Marks published rows in the background, one UPDATE for whatever accumulated meanwhile, so the handler need not
   * wait for it. A row whose mark is lost (a crash, a failed UPDATE) is published again by the sweep after the
   * grace period: at least once, as everywhere else.
   */
  function markPublished(ids: readonly bigint[]): void {
    pendingMarks.push(...ids);
    if (marking) return;
    marking = (async () => {
      while (pendingMarks.length > 0) {
        const batch = pendingMarks;
        pendingMarks = [];
        try {
          await markSql(Prisma.sql`
            UPDATE outbox_event SET published_at = now() WHERE id = ANY(${batch.map(String)}::bigint[]) AND published_at IS NULL`);
        } catch (e) {
          logger.warn({ err: e instanceof Error ? e.message : String(e), rows: batch.length }, 'could not mark outbox rows published; the sweep will publish them again');
        }
      }
    })().finally(() => {
      marking = undefined;
      if (pendingMarks.length > 0) markPublished([]); // added after the loop's last look
    });
  }

  async function publishLocked(sql: Sql, rows: OutboxRow[]): Promise<void> {
    if (rows.length === 0) return;
    const events: OutgoingEvent[] = rows.map((r) => {
      const topic = topicsByName.get(r.topic);
      if (!topic) throw new Error(`outbox row ${r.id} names unknown topic ${r.topic}`);
      return { topic, key: r.key, message: r.payload as OutgoingEvent['message'], context: contextFromTraceparent(r.traceparent) };
    });
    await producer.publish(events);
    await sql(Prisma.sql`UPDATE outbox_event SET published_at = now() WHERE id = ANY(${rows.map((r) => r.id)}::bigint[])`);
  }

  async function sweep(): Promise<void> {
    await inSqlTransaction(pool, async (sql) => {
      const [lock] = await sql<{ locked: boolean }>(Prisma.sql`SELECT pg_try_advisory_xact_lock(${SWEEP_LOCK}) AS locked`);
      if (!lock?.locked) return;
      const rows = await sql<OutboxRow>(Prisma.sql`
        SELECT id::text AS id, topic, key, payload, traceparent FROM outbox_event
        WHERE published_at IS NULL AND available_at <= now()
          AND (available_at > created_at OR created_at < now() - make_interval(secs => ${COMMITTED_GRACE_SECONDS}))
        ORDER BY id LIMIT 500 FOR UPDATE SKIP LOCKED`);
      await publishLocked(sql, rows);
    });
  }

  /** What a transaction has just committed, for the metrics; called once per commit, before anything is published. */
  function committed(entries: readonly OutboxEntry[], tally?: SessionTally): void {
    try {
      options.onCommitted?.(entries, tally);
    } catch (e) {
      logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'counting committed events failed');
    }
  }

  return {
    /**
     * Publishes the outbox rows a transaction has just committed, from memory, and marks them published in the
     * background (`markPublished`: no second transaction, no read-back, no wait). `ids` are the rows' ids in `entries`' order (`enqueue`).
     * Rows scheduled for later (`availableAt` in the future) are left to the sweep, which publishes them when due.
     *
     * Why this is safe: the rows are committed before anything is published (outbox-after-commit), and the same
     * events in the same order are published as a locked read would have returned (one `sendBatch`, in id
     * order, so per-key order within the transaction holds). The sweep leaves rows that were due from the start
     * alone for COMMITTED_GRACE_SECONDS after their transaction began, so in normal operation each is published
     * once, here. If this process dies or the publish fails before the UPDATE, the rows stay unpublished and
     * the sweep publishes them after the grace period: at least once, and consumers de-duplicate by event id.
     * Should a sweep (a slow process, another replica) pick a row up anyway, it is published twice, which the
     * same de-duplication covers.
     */
    async publishCommitted(ids: readonly bigint[], entries: readonly OutboxEntry[], tally?: SessionTally): Promise<void> {
      if (ids.length !== entries.length) throw new Error(`outbox: ${ids.length} ids for ${entries.length} entries`);
      committed(entries, tally);
      const now = Date.now();
      const dueIds: bigint[] = [];
      const events: OutgoingEvent[] = [];
      entries.forEach((e, i) => {
        if (e.availableAt && e.availableAt.getTime() > now) return;
        dueIds.push(ids[i]!);
        events.push({ topic: e.topic, key: e.key, message: e.message as OutgoingEvent['message'], context: contextFromTraceparent(e.traceparent) });
      });
      if (events.length === 0) return;
      // Every OutboxEntry is built by createMessage with its topic's schema (scene.ts, sms-commands.ts).
      await producer.publish(events, { validated: true });
      markPublished(dueIds);
    },
    start(): void {
      timer = setInterval(() => {
        sweeping ??= sweep()
          .catch((e) => logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'outbox sweep failed'))
          .finally(() => {
            sweeping = undefined;
          });
      }, options.sweepIntervalMs ?? 200);
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await sweeping;
      await marking;
    },
  };
}

export type OutboxRelay = ReturnType<typeof createOutboxRelay>;
