import { postSignedForm, type SignedPostResult } from './outbound-http.js';
import { countSegments } from './segments.js';
import { newSid } from './sids.js';

export interface InboundSmsOptions {
  /** The messaging webhook of the number the customer texted. */
  url: string;
  authToken: string;
  accountSid: string;
  from: string;
  to: string;
  body: string;
  messageSid?: string;
  /**
   * Twilio's classification (Advanced Opt-Out may have custom keywords); derived from the body when absent.
   * null: no OptOutType parameter, as from a number without Advanced Opt-Out.
   */
  optOutType?: OptOutType | null;
  timeoutMs?: number;
}

export interface InboundSmsResult extends SignedPostResult {
  messageSid: string;
  /** What was posted (and signed). */
  params: Record<string, string>;
}

export type OptOutType = 'STOP' | 'START' | 'HELP';

// Twilio's default opt-out management keywords; a message consisting of just the keyword counts.
const OPT_OUT_KEYWORDS: Record<string, OptOutType> = {
  STOP: 'STOP', STOPALL: 'STOP', UNSUBSCRIBE: 'STOP', CANCEL: 'STOP', END: 'STOP', QUIT: 'STOP', OPTOUT: 'STOP', REVOKE: 'STOP',
  START: 'START', YES: 'START', UNSTOP: 'START',
  HELP: 'HELP', INFO: 'HELP',
};

export function optOutTypeOf(body: string): OptOutType | undefined {
  return OPT_OUT_KEYWORDS[body.trim().toUpperCase()];
}

export function inboundSmsParams(
  opts: Pick<InboundSmsOptions, 'accountSid' | 'from' | 'to' | 'body' | 'optOutType'> & { messageSid: string },
): Record<string, string> {
  const optOutType = opts.optOutType === null ? undefined : (opts.optOutType ?? optOutTypeOf(opts.body));
  return {
    MessageSid: opts.messageSid,
    SmsMessageSid: opts.messageSid,
    SmsSid: opts.messageSid,
    AccountSid: opts.accountSid,
    From: opts.from,
    To: opts.to,
    Body: opts.body,
    NumMedia: '0',
    NumSegments: String(countSegments(opts.body)),
    SmsStatus: 'received',
    ApiVersion: '2010-04-01',
    ...(optOutType && { OptOutType: optOutType }),
  };
}

/** Sends an inbound-SMS webhook exactly as Twilio would: form-encoded and signed with the auth token. */
export async function deliverInboundSms(opts: InboundSmsOptions): Promise<InboundSmsResult> {
  const messageSid = opts.messageSid ?? newSid('SM');
  const params = inboundSmsParams({ ...opts, messageSid });
  const response = await postSignedForm({
    url: opts.url,
    authToken: opts.authToken,
    params,
    ...(opts.timeoutMs !== undefined && { timeoutMs: opts.timeoutMs }),
  });
  return { ...response, messageSid, params };
}
