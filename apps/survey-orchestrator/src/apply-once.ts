import { SpanKind, SpanStatusCode, context, trace, type Span } from '@opentelemetry/api';
import { Prisma, inSqlTransaction, prismaSql, type PrismaClient, type Sql } from '@sms-survey/db';
import { messageContext, traceparentOf } from '@sms-survey/kafka';
import type pg from 'pg';
import { enqueue, type OutboxEntry, type OutboxRelay } from './outbox-relay.js';
import { SessionTally } from './survey-metrics.js';

export type Tx = Prisma.TransactionClient;

const tracer = trace.getTracer('@sms-survey/survey-orchestrator');

/**
 * The outbox entries a transaction produces. `add` collects them in order; `flush` writes what was added
 * since the last flush with one INSERT. Everything flushed is published after the commit. `tally` collects what
 * the transaction decided for the metrics, counted after the commit.
 */
export class TransactionOutbox {
  private pending: OutboxEntry[] = [];
  readonly ids: bigint[] = [];
  readonly entries: OutboxEntry[] = [];
  readonly tally = new SessionTally();

  constructor(private readonly sql: Sql) {}

  /**
   * Adds entries produced for `cause` (a consumed message: they carry its trace context, `messageContext`), or for
   * the work running now (the active trace context) when it is not given.
   */
  add(entries: readonly OutboxEntry[], cause?: object): void {
    if (entries.length === 0) return;
    const traceparent = traceparentOf((cause && messageContext(cause)) || context.active());
    for (const e of entries) this.pending.push(traceparent && !e.traceparent ? { ...e, traceparent } : e);
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.ids.push(...(await enqueue(this.sql, batch)));
    this.entries.push(...batch);
  }
}

/** Records event ids as applied; returns the events not applied before (first occurrence of each, in order). */
async function recordApplied<E extends { id: string }>(sql: Sql, consumerGroup: string, events: readonly E[]): Promise<E[]> {
  const ids = [...new Set(events.map((e) => e.id))];
  const recorded = await sql<{ id: string }>(Prisma.sql`
    INSERT INTO processed_message (consumer_group, message_id)
    SELECT ${consumerGroup}, id FROM unnest(${ids}::uuid[]) AS u(id)
    ON CONFLICT DO NOTHING
    RETURNING message_id::text AS id`);
  const unapplied = new Set(recorded.map((r) => r.id));
  return events.filter((e) => unapplied.delete(e.id)); // a repeated id counts once, at its first place
}

/** The tally of the transaction `tx` (handlers that get only `tx` note what they decided there). */
const talliesByTx = new WeakMap<object, SessionTally>();

export function tallyOf(tx: Tx): SessionTally | undefined {
  return talliesByTx.get(tx);
}

/** A span around one database transaction (docs/observability.md); it fails with the transaction. */
async function inTransactionSpan<T>(events: number, work: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(
    'postgresql transaction',
    { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.operation.name': 'transaction', 'sms_survey.events': events } },
    async (span: Span) => {
      try {
        return await work();
      } catch (error) {
        if (span.isRecording()) {
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({ code: SpanStatusCode.ERROR, message: 'rolled back' });
        }
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** Long enough for a batch of several hundred events; Prisma's default (5 s) is meant for single requests. */
const BATCH_TRANSACTION_TIMEOUT_MS = 60_000;

/**
 * Applies consumed events exactly once, all in one transaction: records their ids, runs `apply` with the ones
 * not applied before (first occurrence, in the order given), and writes the outbox entries it added; then
 * publishes them from memory after the commit (`OutboxRelay.publishCommitted`). A redelivered event finds its
 * id recorded and changes nothing (its outbox rows, if unpublished, are published by the relay's sweep).
 * One transaction per batch shares its commit (a WAL flush) and the publish between all of its events.
 * Returns the ids applied now.
 */
export async function applyBatchOnce<E extends { id: string }>(
  prisma: PrismaClient,
  relay: OutboxRelay,
  consumerGroup: string,
  events: readonly E[],
  apply: (tx: Tx, fresh: E[], outbox: TransactionOutbox) => Promise<void>,
): Promise<Set<string>> {
  const written = await inTransactionSpan(events.length, () =>
    prisma.$transaction(
      async (tx) => {
        const fresh = await recordApplied(prismaSql(tx), consumerGroup, events);
        const outbox = new TransactionOutbox(prismaSql(tx));
        talliesByTx.set(tx, outbox.tally);
        if (fresh.length > 0) await apply(tx, fresh, outbox);
        await outbox.flush();
        return { applied: new Set(fresh.map((e) => e.id)), outbox };
      },
      { timeout: BATCH_TRANSACTION_TIMEOUT_MS },
    ),
  );
  await relay.publishCommitted(written.outbox.ids, written.outbox.entries, written.outbox.tally);
  return written.applied;
}

/** `applyBatchOnce` for one event whose handler returns its outbox entries; false when it was applied before. */
export async function applyOnce(
  prisma: PrismaClient,
  relay: OutboxRelay,
  consumerGroup: string,
  eventId: string,
  apply: (tx: Tx) => Promise<readonly OutboxEntry[]>,
): Promise<boolean> {
  const applied = await applyBatchOnce(prisma, relay, consumerGroup, [{ id: eventId }], async (tx, _fresh, outbox) => {
    outbox.add(await apply(tx));
  });
  return applied.size > 0;
}

/**
 * `applyBatchOnce` on a plain `pg` connection, for a hot path written in raw SQL. `apply` may leave some of the
 * fresh events to the caller (it returns them, e.g. because they need the general handler): they are not
 * recorded as applied, so the caller applies them after this transaction commits, each on its own
 * (`applyOnce`), and a crash before that redelivers them. Returns those events, in order.
 */
export async function applySqlBatchOnce<E extends { id: string }>(
  pool: pg.Pool,
  relay: OutboxRelay,
  consumerGroup: string,
  events: readonly E[],
  apply: (sql: Sql, fresh: E[], outbox: TransactionOutbox) => Promise<E[]>,
): Promise<E[]> {
  const written = await inTransactionSpan(events.length, () =>
    inSqlTransaction(pool, async (sql) => {
      const fresh = await recordApplied(sql, consumerGroup, events);
      const outbox = new TransactionOutbox(sql);
      const left = fresh.length > 0 ? await apply(sql, fresh, outbox) : [];
      if (left.length > 0) {
        await sql(Prisma.sql`
          DELETE FROM processed_message WHERE consumer_group = ${consumerGroup} AND message_id = ANY(${left.map((e) => e.id)}::uuid[])`);
      }
      await outbox.flush();
      return { left, outbox };
    }),
  );
  await relay.publishCommitted(written.outbox.ids, written.outbox.entries, written.outbox.tally);
  return written.left;
}
