import { SpanKind, SpanStatusCode, context, trace, type Span } from '@opentelemetry/api';
import { Prisma, inSqlTransaction, type Sql } from '@sms-survey/db';
import { messageContext, traceparentOf } from '@sms-survey/kafka';
import type pg from 'pg';
import { enqueue, type OutboxEntry, type OutboxRelay } from './outbox-relay.js';
import { SessionTally } from './survey-metrics.js';

const tracer = trace.getTracer('@sms-survey/survey-orchestrator');

/**
 * The outbox entries a transaction produces, in order (which is publish order), written with one INSERT when the
 * transaction's work is done and published after its commit. `tally` collects what the transaction decided for
 * the metrics, counted after the commit.
 */
export class TransactionOutbox {
  private pending: OutboxEntry[] = [];
  readonly tally = new SessionTally();

  /**
   * Adds entries produced for `cause` (a consumed message: they carry its trace context, `messageContext`), or for
   * the work running now (the active trace context) when it is not given.
   */
  add(entries: readonly OutboxEntry[], cause?: object): void {
    if (entries.length === 0) return;
    const traceparent = traceparentOf((cause && messageContext(cause)) || context.active());
    for (const e of entries) this.pending.push(traceparent && !e.traceparent ? { ...e, traceparent } : e);
  }

  /** Drops entries not written yet (an SMS held for later whose session ended in the same batch). */
  remove(predicate: (entry: OutboxEntry) => boolean): void {
    this.pending = this.pending.filter((e) => !predicate(e));
  }

  async write(sql: Sql): Promise<{ ids: bigint[]; entries: OutboxEntry[] }> {
    const entries = this.pending;
    this.pending = [];
    return { ids: await enqueue(sql, entries), entries };
  }
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

/**
 * The orchestrator's one transaction helper: runs `work` in a transaction on the pool with an outbox, writes the
 * outbox entries it added, commits, and then publishes them from memory (`OutboxRelay.publishCommitted`).
 */
export async function inOutboxTransaction<T>(
  pool: pg.Pool,
  relay: OutboxRelay,
  events: number,
  work: (sql: Sql, outbox: TransactionOutbox) => Promise<T>,
): Promise<T> {
  const { result, written, outbox } = await inTransactionSpan(events, () =>
    inSqlTransaction(pool, async (sql) => {
      const outbox = new TransactionOutbox();
      const result = await work(sql, outbox);
      return { result, written: await outbox.write(sql), outbox };
    }),
  );
  await relay.publishCommitted(written.ids, written.entries, outbox.tally);
  return result;
}

/** Records event ids as applied; returns the events not applied before (first occurrence of each, in order). */
export async function recordApplied<E extends { id: string }>(sql: Sql, consumerGroup: string, events: readonly E[]): Promise<E[]> {
  const ids = [...new Set(events.map((e) => e.id))];
  const recorded = await sql<{ id: string }>(Prisma.sql`
    INSERT INTO processed_message (consumer_group, message_id)
    SELECT ${consumerGroup}, id FROM unnest(${ids}::uuid[]) AS u(id)
    ON CONFLICT DO NOTHING
    RETURNING message_id::text AS id`);
  const unapplied = new Set(recorded.map((r) => r.id));
  return events.filter((e) => unapplied.delete(e.id)); // a repeated id counts once, at its first place
}
