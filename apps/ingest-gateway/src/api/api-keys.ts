import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Checks an `Authorization: Bearer <key>` header against the configured keys. Keys are compared as SHA-256
 * digests (equal length) with `timingSafeEqual`, and every key is compared every time, so the answer takes
 * the same time whichever key matched, or how much of one.
 */
export function createApiKeyCheck(keys: readonly string[]): (authorization: string | undefined) => boolean {
  const expected = keys.map(digest);
  return (authorization) => {
    const match = /^Bearer +([^ ]+) *$/i.exec(authorization ?? '');
    const given = digest(match?.[1] ?? '');
    let found = false;
    for (const key of expected) found = timingSafeEqual(key, given) || found;
    return match !== null && found;
  };
}
