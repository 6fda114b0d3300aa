/**
 * Phone numbers and message bodies are personal data. Logs keep a phone number's country code and last
 * three digits (enough to follow one conversation) and never a message body.
 */
const PHONE = /\+?\b\d[\d ]{6,16}\d\b/g;

export function maskPhone(value: string): string {
  return value.replace(PHONE, (m) => {
    const digits = m.replace(/\D/g, '');
    if (digits.length < 8) return m;
    const plus = m.startsWith('+') ? '+' : '';
    return `${plus}${digits.slice(0, 2)}${'*'.repeat(digits.length - 5)}${digits.slice(-3)}`;
  });
}

const BODY_KEYS = new Set(['body', 'Body', 'content', 'rawReply', 'text', 'message_body']);
/** Trace and span ids (hex; one of only digits would look like a phone number) are kept as they are. */
const TRACE_KEYS = new Set(['trace_id', 'span_id']);
const HEX_ID = /^[0-9a-f]{16}([0-9a-f]{16})?$/;

/** Deep copy of a log object with bodies replaced and phone numbers masked in every string. */
export function maskPersonalData(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[depth]';
  if (typeof value === 'string') return maskPhone(value);
  if (Array.isArray(value)) return value.map((v) => maskPersonalData(v, depth + 1));
  if (value instanceof Error) return { type: value.name, message: maskPhone(value.message), stack: value.stack && maskPhone(value.stack) };
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (TRACE_KEYS.has(k) && typeof v === 'string' && HEX_ID.test(v)) out[k] = v;
      else out[k] = BODY_KEYS.has(k) && typeof v === 'string' ? `[${v.length} chars]` : maskPersonalData(v, depth + 1);
    }
    return out;
  }
  return value;
}
