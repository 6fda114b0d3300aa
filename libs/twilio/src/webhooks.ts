import { timingSafeEqual } from 'node:crypto';
import twilio from 'twilio';

export type WebhookParams = Record<string, string | string[]>;

export interface ValidateTwilioWebhookOptions {
  /** Primary first; during a rotation also the secondary token. Empty strings are ignored. */
  authTokens: string[];
  /** The full URL Twilio requested, as Twilio saw it (see `webhookUrl`). */
  url: string;
  /** The `X-Twilio-Signature` header. */
  signature: string | undefined;
  /** Parsed form parameters (form-encoded webhooks). */
  params?: WebhookParams;
  /** The raw request body (JSON webhooks, whose URL carries `bodySHA256`). */
  rawBody?: string;
  contentType?: string;
}

export function validateTwilioWebhook(opts: ValidateTwilioWebhookOptions): boolean {
  if (!opts.signature) return false;
  const signature = opts.signature;
  const isJson = (opts.contentType ?? '').toLowerCase().startsWith('application/json');
  if (isJson && opts.rawBody === undefined) return false;
  const tokens = opts.authTokens.filter((token) => token.length > 0);
  // The URL we are given is the one Twilio signed (see `webhookUrl`): one HMAC over exactly it matches in the
  // normal case. Only when it does not are the SDK's variants tried (with and without the port, legacy query
  // encoding), which costs up to four more HMACs and URL re-serialisations.
  if (!isJson && tokens.some((token) => signatureMatches(twilio.getExpectedTwilioSignature(token, opts.url, opts.params ?? {}), signature))) {
    return true;
  }
  return tokens.some((token) => {
    try {
      return isJson
        ? twilio.validateRequestWithBody(token, signature, opts.url, opts.rawBody ?? '')
        : twilio.validateRequest(token, signature, opts.url, opts.params ?? {});
    } catch {
      // The SDK throws on a URL it cannot parse; that request cannot be Twilio's.
      return false;
    }
  });
}

function signatureMatches(expected: string, actual: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(actual);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The URL Twilio signed, rebuilt from the configured public base URL and the request's path and query,
 * because behind a TLS-terminating ingress the server sees neither the public scheme nor host.
 */
export function webhookUrl(publicBaseUrl: string, pathAndQuery: string): string {
  const base = publicBaseUrl.replace(/\/+$/, '');
  const path = pathAndQuery.startsWith('/') ? pathAndQuery : `/${pathAndQuery}`;
  return `${base}${path}`;
}

/** The `X-Twilio-Signature` Twilio would send for a form-encoded request with these params to this URL. */
export function signWebhook(authToken: string, url: string, params: WebhookParams): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

/** The SHA-256 hex digest Twilio appends as `bodySHA256` to the URL of a JSON webhook. */
export function webhookBodySha256(rawBody: string): string {
  return twilio.getExpectedBodyHash(rawBody);
}
