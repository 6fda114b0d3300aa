import { Prisma } from './generated/prisma/client.js';
import type { Sql } from './sql-transaction.js';

/**
 * Rows a service keeps only for a while: its de-duplication records (processed events, the send ledger) and
 * published outbox rows. They are needed while a message could still be redelivered, which a topic's retention
 * bounds, so each is kept well past it and then deleted, lest the tables grow for ever.
 */
export interface RetentionRule {
  /** Table and timestamp column: constants from code, never input. */
  table: string;
  column: string;
  /** Rows whose `column` is older than this are deleted. */
  keepSeconds: number;
  /** A condition a row must also meet to be deleted, e.g. a final state. */
  onlyWhere?: Prisma.Sql;
}

/** Rows deleted per statement: short transactions and short locks, however much has built up. */
const PURGE_BATCH = 5000;

/** Deletes what `rule` no longer keeps, a batch per statement; returns how many rows went. */
export async function purgeExpired(sql: Sql, rule: RetentionRule, batchSize = PURGE_BATCH): Promise<number> {
  const table = Prisma.raw(`"${rule.table}"`);
  const column = Prisma.raw(`"${rule.column}"`);
  let total = 0;
  for (;;) {
    const [row] = await sql<{ n: number }>(Prisma.sql`
      WITH gone AS (
        DELETE FROM ${table} WHERE ctid IN (
          SELECT ctid FROM ${table}
          WHERE ${column} < now() - make_interval(secs => ${rule.keepSeconds})
            ${rule.onlyWhere ? Prisma.sql`AND (${rule.onlyWhere})` : Prisma.empty}
          LIMIT ${batchSize})
        RETURNING 1)
      SELECT count(*)::int AS n FROM gone`);
    const n = Number(row?.n ?? 0);
    total += n;
    if (n < batchSize) return total;
  }
}

/**
 * Applies `rules` every `intervalMs` (the first time one interval after start). Replicas may run it at the same
 * time: each deletes what the other has not. `stop` waits for a run in progress.
 */
export function startRetention(
  sql: Sql,
  rules: readonly RetentionRule[],
  options: { intervalMs: number; onPurged?: (table: string, rows: number) => void; onError?: (error: unknown) => void },
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= (async () => {
      for (const rule of rules) {
        const rows = await purgeExpired(sql, rule);
        if (rows > 0) options.onPurged?.(rule.table, rows);
      }
    })()
      .catch((e: unknown) => options.onError?.(e))
      .finally(() => {
        running = undefined;
      });
  }, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
