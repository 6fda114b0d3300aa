import { SpanKind, SpanStatusCode, context, trace, type Span } from '@opentelemetry/api';
import { inSqlTransaction, type Sql } from '@sms-survey/db';
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
  private readonly written: { ids: bigint[]; entries: OutboxEntry[] } = { ids: [], entries: [] };
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

  /** Takes the entries not written yet, for a statement that writes them (`outboxInsertSql`); see `wrote`. */
  take(): OutboxEntry[] {
    const entries = this.pending;
    this.pending = [];
    return entries;
  }

  /** Entries taken were written, with these ids (in their order). */
  wrote(ids: readonly bigint[], entries: readonly OutboxEntry[]): void {
    this.written.ids.push(...ids);
    this.written.entries.push(...entries);
  }

  /** Writes what is left and returns everything written, in order. */
  async write(sql: Sql): Promise<{ ids: bigint[]; entries: OutboxEntry[] }> {
    const entries = this.take();
    this.wrote(await enqueue(sql, entries), entries);
    return this.written;
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
