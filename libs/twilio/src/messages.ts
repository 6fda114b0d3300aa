import type { TwilioClient } from './client.js';
import { inTwilioSpan } from './tracing.js';

const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;

export interface SendSmsParams {
  /** A number or alphanumeric id (sent as `From`), or a Messaging Service sid (sent as `MessagingServiceSid`: Twilio picks the number). */
  from: string;
  to: string;
  body: string;
  statusCallback?: string;
  /** Seconds Twilio may keep the message queued before giving up (1–36000). */
  validityPeriodSeconds?: number;
}

export interface SentSms {
  sid: string;
  status: string;
  /** `From` of Twilio's answer: for a Messaging Service, the number it chose (null while it has not chosen yet). */
  from?: string;
}

/** Messages API `create`, in a span with the MessageSid (and status) of the answer; never the numbers or the body. */
export async function sendSms(client: TwilioClient, params: SendSmsParams): Promise<SentSms> {
  return inTwilioSpan(
    'messages.create',
    { 'http.request.method': 'POST', 'url.template': '/2010-04-01/Accounts/{AccountSid}/Messages.json' },
    async () => {
      const message = await client.messages.create({
        ...(MESSAGING_SERVICE_SID.test(params.from) ? { messagingServiceSid: params.from } : { from: params.from }),
        to: params.to,
        body: params.body,
        ...(params.statusCallback !== undefined && { statusCallback: params.statusCallback }),
        ...(params.validityPeriodSeconds !== undefined && { validityPeriod: params.validityPeriodSeconds }),
      });
      return { sid: message.sid, status: message.status, ...(message.from ? { from: message.from } : {}) };
    },
    (sent, span) => span.setAttributes({ 'twilio.message_sid': sent.sid, 'twilio.message_status': sent.status }),
  );
}

/**
 * A message we may have sent already: the most recent ones from `from` to `to` with this body, created at or
 * after `createdAfter`. Used to settle a send whose outcome a crashed dispatcher never recorded. For a Messaging
 * Service (the list cannot filter by one) the messages to `to` that carry its sid.
 */
export async function findRecentMessage(
  client: TwilioClient,
  params: { from: string; to: string; body: string; createdAfter: Date },
): Promise<SentSms | undefined> {
  const service = MESSAGING_SERVICE_SID.test(params.from);
  const recent = await inTwilioSpan('messages.list', { 'http.request.method': 'GET', 'url.template': '/2010-04-01/Accounts/{AccountSid}/Messages.json' }, () =>
    client.messages.list({ ...(service ? {} : { from: params.from }), to: params.to, limit: 50 }),
  );
  const match = recent.find(
    (m) => m.body === params.body && m.dateCreated >= params.createdAfter && (!service || m.messagingServiceSid === params.from),
  );
  return match && { sid: match.sid, status: match.status, ...(match.from ? { from: match.from } : {}) };
}
