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
