import type { TwilioClient } from './client.js';

export interface SendSmsParams {
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
}

export async function sendSms(client: TwilioClient, params: SendSmsParams): Promise<SentSms> {
  const message = await client.messages.create({
    from: params.from,
    to: params.to,
    body: params.body,
    ...(params.statusCallback !== undefined && { statusCallback: params.statusCallback }),
    ...(params.validityPeriodSeconds !== undefined && { validityPeriod: params.validityPeriodSeconds }),
  });
  return { sid: message.sid, status: message.status };
}

/**
 * A message we may have sent already: the most recent ones from `from` to `to` with this body, created at or
 * after `createdAfter`. Used to settle a send whose outcome a crashed dispatcher never recorded.
 */
export async function findRecentMessage(
  client: TwilioClient,
  params: { from: string; to: string; body: string; createdAfter: Date },
): Promise<SentSms | undefined> {
  const recent = await client.messages.list({ from: params.from, to: params.to, limit: 50 });
  const match = recent.find((m) => m.body === params.body && m.dateCreated >= params.createdAfter);
  return match && { sid: match.sid, status: match.status };
}
