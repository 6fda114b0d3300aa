import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Characters that are not text, or that PostgreSQL's `text` and `jsonb` cannot store: NUL and UTF-16 surrogates
 * without their pair (a JSON `"\ud800"`). Everything else, emoji and right-to-left marks included, is text.
 */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');
export const UNSTORABLE_TEXT_MESSAGE = 'must not contain NUL characters or unpaired surrogates';

export const isStorableText = (s: string): boolean => !UNSTORABLE.test(s);

/** The same text with each NUL and unpaired surrogate replaced by U+FFFD (what a customer's SMS becomes). */
export const toStorableText = (s: string): string => s.replace(UNSTORABLE_ALL, '\ufffd');

/**
 * The one definition of acceptable text, for every HTTP input and Kafka message that carries text: at most
 * `max` UTF-16 code units, and storable (above). Refine further as needed (`.min(1)`, `.regex(…)`).
 */
export const Text = (max: number) =>
  z.string().max(max, `must be at most ${max} characters`).refine(isStorableText, UNSTORABLE_TEXT_MESSAGE);

export const JSON_LIMITS = { maxDepth: 32, maxNodes: 10_000, maxString: 10_000 } as const;

/**
 * Why a JSON value is not acceptable (too deep, too large, a key or string that is not storable text), or
 * undefined. Walked without recursion: a value 5,000 levels deep is refused, not a stack overflow.
 */
export function jsonProblem(value: unknown, limits: { maxDepth: number; maxNodes: number; maxString: number } = JSON_LIMITS): string | undefined {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: '' }];
  let nodes = 0;
  while (stack.length > 0) {
    const { value: v, depth, path } = stack.pop()!;
    if (++nodes > limits.maxNodes) return `has more than ${limits.maxNodes} values`;
    if (typeof v === 'string') {
      if (v.length > limits.maxString) return `${path || 'a string'} is longer than ${limits.maxString} characters`;
      if (!isStorableText(v)) return `${path || 'a string'} ${UNSTORABLE_TEXT_MESSAGE}`;
    } else if (v !== null && typeof v === 'object') {
      if (depth >= limits.maxDepth) return `is nested deeper than ${limits.maxDepth} levels`;
      for (const [key, child] of Object.entries(v)) {
        if (!isStorableText(key)) return `a key ${UNSTORABLE_TEXT_MESSAGE}`;
        stack.push({ value: child, depth: depth + 1, path: path ? `${path}.${key}` : key });
      }
    }
  }
  return undefined;
}

/** A JSON object (task attributes, survey settings) within `JSON_LIMITS`. */
export const BoundedJsonObject = z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
  const problem = jsonProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** E.164: a plus sign, a non-zero country digit, up to 15 digits in all. */
export const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +4791234567');
/** A Twilio Messaging Service sid: `MG` and 32 hex digits. Twilio picks one of the service's numbers per message. */
export const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
/**
 * An alphanumeric sender id (`ACME`): 1–11 letters, digits and spaces with at least one letter. It can only send
 * (nobody can reply to it).
 */
export const ALPHANUMERIC_SENDER_ID = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;
export type SenderType = 'phone-number' | 'messaging-service' | 'alphanumeric';

/** What kind of sender a `From` is (the string is assumed to be a valid `Sender`). */
export function senderType(sender: string): SenderType {
  if (MESSAGING_SERVICE_SID.test(sender)) return 'messaging-service';
  return sender.startsWith('+') ? 'phone-number' : 'alphanumeric';
}

export const isMessagingServiceSid = (sender: string): boolean => MESSAGING_SERVICE_SID.test(sender);

/** Who texts a customer: one of our numbers (E.164), a Messaging Service (`MG…`), or an alphanumeric sender id. */
export const Sender = z.union([E164, z.string().regex(MESSAGING_SERVICE_SID), z.string().regex(ALPHANUMERIC_SENDER_ID)], {
  error: 'must be an E.164 phone number (+4791234567), a Messaging Service sid (MG and 32 hex digits) or an alphanumeric sender id (1–11 letters, digits, spaces)',
});
/** A sender a customer can reply to: a number or a Messaging Service. */
export const ReplyableSender = z.union([E164, z.string().regex(MESSAGING_SERVICE_SID)], {
  error: 'must be an E.164 phone number (+4791234567) or a Messaging Service sid (MG and 32 hex digits); an alphanumeric sender id cannot receive replies',
});
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

const NAMESPACE_HEX = '6f1c0e52a3b84c0f9d0e5b7a1c2d3e4f';
/** Made on first use: this module is also bundled for the browser (the survey console), which has no Buffer. */
let namespace: Buffer | undefined;

/**
 * A name-based (version 5) UUID. Events derived from something Twilio identifies (a MessageSid, a status)
 * get the same id every time Twilio retries the webhook, so consumers' de-duplication drops the copies.
 */
export function uuidFromName(name: string): string {
  namespace ??= Buffer.from(NAMESPACE_HEX, 'hex');
  const hash = createHash('sha1').update(namespace).update(name).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
