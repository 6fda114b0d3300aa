/**
 * Database errors that say nothing about the message being handled: the server is unreachable, a connection
 * dropped, the pool is exhausted, or a transaction lost a deadlock / serialization race. Retrying (with
 * backoff, for as long as it takes) is right for these; dead-lettering would lose work that is fine.
 */
const TRANSIENT_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1011', 'P1017', 'P2024', 'P2028', 'P2034']);
const TRANSIENT_MESSAGE = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection terminated|connection timeout|server closed the connection|deadlock detected|could not serialize/i;

export function isTransientDatabaseError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, cause } = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (typeof code === 'string' && TRANSIENT_PRISMA_CODES.has(code)) return true;
  if (typeof message === 'string' && TRANSIENT_MESSAGE.test(message)) return true;
  return cause !== undefined && cause !== error && isTransientDatabaseError(cause);
}
