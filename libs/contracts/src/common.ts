import { createHash } from 'node:crypto';
import { z } from 'zod';

/** E.164: a plus sign, a non-zero country digit, up to 15 digits in all. */
export const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +4791234567');
export const IsoDateTime = z.iso.datetime({ offset: true });
export const Sid = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}[0-9a-fA-F]{32}$`), `must be a Twilio ${prefix} sid`);

/**
 * Every Kafka message is an envelope: what it is (type + schemaVersion), a unique id used for
 * de-duplication on redelivery, when it happened, and the payload.
 */
export function eventSchema<T extends string, V extends number, P extends z.ZodType>(type: T, schemaVersion: V, payload: P) {
  return z.object({
    type: z.literal(type),
    schemaVersion: z.literal(schemaVersion),
    id: z.uuid(),
    occurredAt: IsoDateTime,
    payload,
  });
}

const NAMESPACE = Buffer.from('6f1c0e52a3b84c0f9d0e5b7a1c2d3e4f', 'hex');

/**
 * A name-based (version 5) UUID. Events derived from something Twilio identifies (a MessageSid, a status)
 * get the same id every time Twilio retries the webhook, so consumers' de-duplication drops the copies.
 */
export function uuidFromName(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
