export interface TwilioErrorClassification {
  /** Twilio's error code (https://www.twilio.com/docs/api/errors), when the API returned one. */
  code?: number;
  /** HTTP status, when a response was received. */
  status?: number;
  /** Trying the same request again later may succeed. */
  retryable: boolean;
  /** Retrying cannot help: the request or the recipient is the problem. */
  permanent: boolean;
  reason: string;
}

interface KnownTwilioError {
  retryable: boolean;
  reason: string;
}

/** Codes we expect from the Messages and TaskRouter APIs and in message status callbacks (`ErrorCode`). */
export const KNOWN_TWILIO_ERRORS: Readonly<Record<number, KnownTwilioError>> = {
  20001: { retryable: false, reason: 'invalid parameter' },
  20003: { retryable: false, reason: 'authentication failed (account SID or auth token)' },
  20404: { retryable: false, reason: 'resource not found' },
  20429: { retryable: true, reason: 'too many requests' },
  20500: { retryable: true, reason: 'Twilio internal error' },
  20503: { retryable: true, reason: 'Twilio service unavailable' },
  21211: { retryable: false, reason: "invalid 'To' phone number" },
  21408: { retryable: false, reason: 'SMS to this region is not enabled on the account' },
  21602: { retryable: false, reason: 'message body is required' },
  21603: { retryable: false, reason: "'From' phone number is required" },
  21604: { retryable: false, reason: "'To' phone number is required" },
  21606: { retryable: false, reason: "'From' number cannot send SMS to this destination" },
  21608: { retryable: false, reason: "'To' number is unverified (trial account)" },
  21610: { retryable: false, reason: 'recipient has unsubscribed (replied STOP)' },
  21611: { retryable: true, reason: "'From' number's outbound queue is full" },
  21612: { retryable: false, reason: "'To' number cannot be reached from this 'From' number" },
  21614: { retryable: false, reason: "'To' number is not a mobile number" },
  21617: { retryable: false, reason: 'message body exceeds 1600 characters' },
  30001: { retryable: true, reason: 'message queue overflow' },
  30002: { retryable: false, reason: 'account suspended' },
  30003: { retryable: false, reason: 'destination handset unreachable' },
  30004: { retryable: false, reason: 'message blocked' },
  30005: { retryable: false, reason: 'unknown destination handset' },
  30006: { retryable: false, reason: 'landline or unreachable carrier' },
  30007: { retryable: false, reason: 'message filtered by carrier' },
  30008: { retryable: true, reason: 'unknown delivery error' },
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
  if (known) return { ...withCodeAndStatus, retryable: known.retryable, permanent: !known.retryable, reason: known.reason };
  if (status === 429) return { ...withCodeAndStatus, retryable: true, permanent: false, reason: 'too many requests' };
  if (status !== undefined && status >= 500) {
    return { ...withCodeAndStatus, retryable: true, permanent: false, reason: `Twilio server error (HTTP ${status})` };
  }
  if (status !== undefined && status >= 400) {
    return { ...withCodeAndStatus, retryable: false, permanent: true, reason: `request rejected (HTTP ${status}): ${message}` };
  }
  const networkError = findNetworkErrorCode(err);
  if (networkError) return { ...withCodeAndStatus, retryable: true, permanent: false, reason: `network error: ${networkError}` };
  return { ...withCodeAndStatus, retryable: false, permanent: false, reason: `unclassified error: ${message}` };
}
