import { randomBytes, randomUUID } from 'node:crypto';
import { InboundSmsReceived, SurveySendRequested, createMessage } from '@sms-survey/contracts';

// The events the orchestrator's tests feed it, built as the gateway would.

/** SendSurvey for `customer`: a new session of the survey version, expiring in an hour. */
export function surveySendRequested(customer: string, survey: { id: string; version: number }): SurveySendRequested {
  return createMessage(SurveySendRequested, {
    type: 'survey.send.requested',
    schemaVersion: 1,
    payload: { sessionId: randomUUID(), surveyId: survey.id, surveyVersion: survey.version, customer, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), userSessionVariables: [] },
  });
}

/** A customer's SMS to one of our numbers (`optOutType`: what Twilio's Advanced Opt-Out adds). */
export function inboundSms(from: string, to: string, body: string, optOutType?: 'STOP'): InboundSmsReceived {
  return createMessage(InboundSmsReceived, {
    type: 'sms.inbound.received',
    schemaVersion: 1,
    payload: {
      messageSid: 'SM' + randomBytes(16).toString('hex'),
      accountSid: 'AC' + 'a'.repeat(32),
      from,
      to,
      body,
      receivedAt: new Date().toISOString(),
      ...(optOutType && { optOutType }),
    },
  });
}
