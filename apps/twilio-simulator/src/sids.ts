import { createHash, randomBytes } from 'node:crypto';

/** A Twilio-style sid: two-letter prefix + 32 hex digits. */
export function newSid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

/** The same sid for the same seed, so e.g. the default workspace keeps its sid across restarts. */
export function stableSid(prefix: string, seed: string): string {
  return prefix + createHash('sha256').update(seed).digest('hex').slice(0, 32);
}
