export interface TwilioErrorClassification {
  /** Twilio's error code (https://www.twilio.com/docs/api/errors), when the API returned one. */
  code?: number;
  /** HTTP status, when a response was received. */
  status?: number;
  kind: TwilioErrorKind;
  reason: string;
}

/**
 * - `retryable`: trying the same request again later may succeed (rate limits, Twilio or network trouble);
 * - `permanent`: retrying cannot help, the request or the recipient is the problem;
 * - `unknown`: an error we cannot place (no Twilio code, HTTP status or network error code on it).
 */
export type TwilioErrorKind = 'retryable' | 'permanent' | 'unknown';

interface KnownTwilioError {
  kind: Exclude<TwilioErrorKind, 'unknown'>;
  reason: string;
}

/** Codes we expect from the Messages and TaskRouter APIs and in message status callbacks (`ErrorCode`). */
export const KNOWN_TWILIO_ERRORS: Readonly<Record<number, KnownTwilioError>> = {
  20001: { kind: 'permanent', reason: 'invalid parameter' },
  20003: { kind: 'permanent', reason: 'authentication failed (account SID or auth token)' },
  20404: { kind: 'permanent', reason: 'resource not found' },
  20429: { kind: 'retryable', reason: 'too many requests' },
  20500: { kind: 'retryable', reason: 'Twilio internal error' },
  20503: { kind: 'retryable', reason: 'Twilio service unavailable' },
  21211: { kind: 'permanent', reason: "invalid 'To' phone number" },
  21408: { kind: 'permanent', reason: 'SMS to this region is not enabled on the account' },
  21602: { kind: 'permanent', reason: 'message body is required' },
  21603: { kind: 'permanent', reason: "'From' phone number is required" },
  21604: { kind: 'permanent', reason: "'To' phone number is required" },
  21606: { kind: 'permanent', reason: "'From' number cannot send SMS to this destination" },
  21608: { kind: 'permanent', reason: "'To' number is unverified (trial account)" },
  21610: { kind: 'permanent', reason: 'recipient has unsubscribed (replied STOP)' },
  21611: { kind: 'retryable', reason: "'From' number's outbound queue is full" },
  21612: { kind: 'permanent', reason: "'To' number cannot be reached from this 'From' number" },
  21614: { kind: 'permanent', reason: "'To' number is not a mobile number" },
  21617: { kind: 'permanent', reason: 'message body exceeds 1600 characters' },
  30001: { kind: 'retryable', reason: 'message queue overflow' },
  30002: { kind: 'permanent', reason: 'account suspended' },
  30003: { kind: 'permanent', reason: 'destination handset unreachable' },
  30004: { kind: 'permanent', reason: 'message blocked' },
  30005: { kind: 'permanent', reason: 'unknown destination handset' },
  30006: { kind: 'permanent', reason: 'landline or unreachable carrier' },
  30007: { kind: 'permanent', reason: 'message filtered by carrier' },
  30008: { kind: 'retryable', reason: 'unknown delivery error' },
};

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH',
  'EAI_AGAIN', 'ENOTFOUND', 'ESOCKETTIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_SOCKET_CONNECTION_TIMEOUT',
]);
const NETWORK_ERROR_MESSAGE = /socket hang up|timeout of \d+ms exceeded/i;

type ErrorLike = { code?: unknown; status?: unknown; message?: unknown; cause?: unknown; errors?: unknown; response?: unknown };

function asErrorLike(value: unknown): ErrorLike | undefined {
  return typeof value === 'object' && value !== null ? (value as ErrorLike) : undefined;
}

/** The network error code found on the error, its `cause` chain or an AggregateError's members. */
function findNetworkErrorCode(err: unknown, depth = 0): string | undefined {
  const e = asErrorLike(err);
  if (!e || depth > 5) return undefined;
  if (typeof e.code === 'string' && NETWORK_ERROR_CODES.has(e.code)) return e.code;
  if (typeof e.message === 'string' && NETWORK_ERROR_MESSAGE.test(e.message)) return e.message;
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const found = findNetworkErrorCode(inner, depth + 1);
      if (found) return found;
    }
  }
  return findNetworkErrorCode(e.cause, depth + 1);
}

export function classifyTwilioError(err: unknown): TwilioErrorClassification {
  const e = asErrorLike(err);
  const code = typeof e?.code === 'number' ? e.code : undefined;
  const responseStatus = asErrorLike(e?.response)?.status;
  const status = typeof e?.status === 'number' ? e.status : typeof responseStatus === 'number' ? responseStatus : undefined;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const withCodeAndStatus = { ...(code !== undefined && { code }), ...(status !== undefined && { status }) };

  const known = code !== undefined ? KNOWN_TWILIO_ERRORS[code] : undefined;
  if (known) return { ...withCodeAndStatus, kind: known.kind, reason: known.reason };
  if (status === 429) return { ...withCodeAndStatus, kind: 'retryable', reason: 'too many requests' };
  if (status !== undefined && status >= 500) {
    return { ...withCodeAndStatus, kind: 'retryable', reason: `Twilio server error (HTTP ${status})` };
  }
  if (status !== undefined && status >= 400) {
    return { ...withCodeAndStatus, kind: 'permanent', reason: `request rejected (HTTP ${status}): ${message}` };
  }
  const networkError = findNetworkErrorCode(err);
  if (networkError) return { ...withCodeAndStatus, kind: 'retryable', reason: `network error: ${networkError}` };
  return { ...withCodeAndStatus, kind: 'unknown', reason: `unclassified error: ${message}` };
}
