import pg from 'pg';
import type { Prisma } from './generated/prisma/client.js';

/**
 * Runs one `Prisma.sql` query and returns its rows. Hot paths use it with a plain `pg` connection: a statement
 * through Prisma's client costs about ten times the CPU of the same statement through `pg` (measured in
 * docs/benchmarks.md), which matters where a handful of statements serve a whole batch of events.
 * Rows come as `pg` returns them: bigint columns as strings, json as parsed values, timestamps as Dates.
 */
export type Sql = <T = Record<string, unknown>>(query: Prisma.Sql) => Promise<T[]>;

export function createSqlPool(options: { databaseUrl: string; poolSize?: number; onIdleError?: (error: Error) => void }): pg.Pool {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10, connectionTimeoutMillis: 3000 });
  // An idle connection the server closed (a restart, a terminated backend) is dropped by the pool; without a
  // listener its 'error' event would end the process.
  pool.on('error', (error) => options.onIdleError?.(error));
  return pool;
}

/** Readiness: does the database answer on the pool right now? */
export async function poolAnswers(pool: pg.Pool): Promise<boolean> {
  try {
    await pool.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}

/** `Sql` through a Prisma client or interactive transaction, for code shared with the raw `pg` paths. */
export function prismaSql(client: Pick<Prisma.TransactionClient, '$queryRaw'>): Sql {
  return <R>(query: Prisma.Sql) => client.$queryRaw<R[]>(query);
}

/** `Sql` on the pool, outside any transaction (each statement on whichever connection is free). */
export function poolSql(pool: pg.Pool): Sql {
  return async <R>(query: Prisma.Sql) => (await pool.query(query.text, query.values)).rows as R[];
}

/** Runs `work` in one transaction on a connection of `pool`: committed when it resolves, rolled back when it throws. */
export async function inSqlTransaction<T>(pool: pg.Pool, work: (sql: Sql) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(async <R>(query: Prisma.Sql) => (await client.query(query.text, query.values)).rows as R[]);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection that cannot even roll back is not handed out again.
    await client.query('ROLLBACK').catch((e: unknown) => (broken = e instanceof Error ? e : new Error(String(e))));
    throw error;
  } finally {
    client.release(broken);
  }
}
