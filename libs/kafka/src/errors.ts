/**
 * Errors say whether trying again can help. Consumers decide retry or dead-letter from this flag alone:
 * - retryable === true: infrastructure trouble (database down, broker busy); retried until it works.
 * - retryable === false: the message itself is wrong; dead-lettered at once.
 * - anything else: retried a few times, then dead-lettered.
 */
export class RetryableError extends Error {
  readonly retryable = true as const;
}

export class PermanentError extends Error {
  readonly retryable = false as const;
}

/**
 * The partition's work now belongs to another replica (its lease moved on): not retried here, not
 * dead-lettered, not committed; the message is redelivered to the replica that holds the partition now.
 */
export class PartitionLostError extends Error {
  readonly retryable = true as const;
  readonly partitionLost = true as const;
}

export const isPartitionLost = (error: unknown): boolean => error instanceof PartitionLostError;

export function retryFlag(error: unknown): boolean | undefined {
  if (typeof error === 'object' && error !== null && 'retryable' in error) {
    const flag = (error as { retryable: unknown }).retryable;
    if (typeof flag === 'boolean') return flag;
  }
  return undefined;
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
