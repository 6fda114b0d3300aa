import { randomUUID } from 'node:crypto';
import { signWebhook } from '@sms-survey/twilio';

export interface SignedPostResult {
  status: number;
  body: string;
}

/** POSTs form-encoded params the way Twilio calls webhooks: signed with the account's auth token. */
export async function postSignedForm(opts: {
  url: string;
  authToken: string;
  params: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
}): Promise<SignedPostResult> {
  const signals = [AbortSignal.timeout(opts.timeoutMs ?? 5000), ...(opts.signal ? [opts.signal] : [])];
  const response = await fetch(opts.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signWebhook(opts.authToken, opts.url, opts.params),
      'i-twilio-idempotency-token': randomUUID(),
      'user-agent': 'TwilioProxy/1.1',
    },
    body: new URLSearchParams(opts.params).toString(),
    signal: AbortSignal.any(signals),
  });
  return { status: response.status, body: await response.text() };
}

/** The innermost useful message of a fetch failure (`fetch failed` hides the cause). */
export function describeFetchError(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  return cause instanceof Error ? `${(cause as { code?: string }).code ?? cause.name}: ${cause.message}` : String(cause);
}
