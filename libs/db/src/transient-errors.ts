/**
 * What a database error says about retrying, read from PostgreSQL's SQLSTATE (the `code` of a `pg` error, or
 * the `originalCode` Prisma's driver adapter passes on), never from message text where a code exists:
 * - transient (`true`): the server is unreachable or restarting, a connection dropped, the pool is exhausted,
 *   or a transaction lost a deadlock / serialization race. Retrying (with backoff, for as long as it takes) is
 *   right; dead-lettering would lose work that is fine.
 * - permanent (`false`): the data itself is refused (class 22 data exceptions such as 22021 "invalid byte
 *   sequence", class 23 integrity violations). Retrying cannot help: the message goes to the dead-letter topic
 *   at once and the partition moves on.
 * - undefined: anything else (a bug, a missing table): retried a few times, then dead-lettered.
 */
const TRANSIENT_SQLSTATE_CLASSES = new Set(['08', '53', '57']); // connection exceptions, insufficient resources, operator intervention
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03']); // serialization failure, deadlock, lock not available
const PERMANENT_SQLSTATE_CLASSES = new Set(['22', '23']); // data exception, integrity constraint violation
const TRANSIENT_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1011', 'P1017', 'P2024', 'P2028', 'P2034']);
// Prisma's own codes for refused data: value too long, unique / foreign key / null constraints, invalid value.
const PERMANENT_PRISMA_CODES = new Set(['P2000', 'P2002', 'P2003', 'P2004', 'P2005', 'P2006', 'P2007', 'P2011', 'P2012', 'P2019', 'P2020', 'P2023']);
// Node's socket errors and pg's own connection messages carry no SQLSTATE.
const TRANSIENT_NETWORK = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|Connection terminated|connection timeout|timeout exceeded when trying to connect|server closed the connection|Client has encountered a connection error/i;

const SQLSTATE = /^[0-9A-Z]{5}$/;

function sqlstateVerdict(code: string): boolean | undefined {
  if (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_SQLSTATE_CLASSES.has(code.slice(0, 2))) return true;
  if (PERMANENT_SQLSTATE_CLASSES.has(code.slice(0, 2))) return false;
  return undefined;
}

export function databaseErrorVerdict(error: unknown, depth = 0): boolean | undefined {
  if (typeof error !== 'object' || error === null || depth > 5) return undefined;
  const e = error as { code?: unknown; originalCode?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };
  for (const code of [e.originalCode, e.code]) {
    if (typeof code !== 'string') continue;
    if (TRANSIENT_PRISMA_CODES.has(code)) return true;
    if (PERMANENT_PRISMA_CODES.has(code)) return false;
    if (SQLSTATE.test(code) && !code.startsWith('P')) {
      const verdict = sqlstateVerdict(code);
      if (verdict !== undefined) return verdict;
    }
    if (/^E[A-Z]+$/.test(code) && TRANSIENT_NETWORK.test(code)) return true;
  }
  for (const inner of [e.cause, e.meta?.driverAdapterError]) {
    if (inner !== undefined && inner !== error) {
      const verdict = databaseErrorVerdict(inner, depth + 1);
      if (verdict !== undefined) return verdict;
    }
  }
  if (typeof e.message === 'string' && TRANSIENT_NETWORK.test(e.message)) return true;
  return undefined;
}

export function isTransientDatabaseError(error: unknown): boolean {
  return databaseErrorVerdict(error) === true;
}
