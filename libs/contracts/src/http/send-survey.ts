import { z } from 'zod';
import { E164, IsoDateTime, Sender, Text } from '../common.js';
import { LanguagePreference } from '../language-tag.js';
import { UserSessionVariable } from '../survey.js';

/**
 * The keys Customer Insight reporting knows. Every key is optional and any other key is accepted too: the
 * variables are passed through to the session and its events for reporting.
 */
export const STANDARD_USER_SESSION_VARIABLE_KEYS = [
  'consumerEmail',
  'consumerPhone',
  'consumerChannel',
  'consumerSession',
  'queueKey',
  'agentId',
  'userGroupId',
  'systemCountry',
] as const;

/** A survey sent without `expiryTime` expires this long after the request. */
export const DEFAULT_SURVEY_EXPIRY_MS = 3 * 24 * 3600 * 1000;

/**
 * The body of `POST /v1/surveys/:surveyId/send` (SendSurvey): the Customer Insight request, field for field.
 * `identifier` is checked for E.164 form here; the gateway also checks that it is a mobile number.
 */
export const SendSurveyRequest = z.object({
  /** The caller's own reference for this send (e.g. the IVR session id), kept with the session. */
  clientReference: Text(200).optional(),
  /** ISO 8601 with an offset; defaults to three days after the request. A short expiry (≤ 24 h) is advised for SMS. */
  expiryTime: z.iso
    .datetime({ offset: true, error: 'must be an ISO 8601 date and time with an offset, such as 2025-06-01T12:00:00+02:00' })
    .refine((value) => !(Date.parse(value) <= Date.now()), 'must be in the future')
    .optional(),
  userSessionVariables: z.array(UserSessionVariable).max(50).optional(),
  identifier: E164,
  identifierType: z.literal('Phone', 'must be "Phone"'),
  channel: z.literal('SMS', 'must be "SMS"'),
  /** Prepended to the first SMS. */
  content: Text(1000).optional(),
  /**
   * A BCP 47 tag (`sv`, `en-GB`, `pt-BR`; `en_GB` is read as `en-GB`), given in its canonical case. Preferred over
   * the survey's default language when the survey has it or a language it falls back to (`nb` → `no`, `en-GB` → `en`).
   */
  language: LanguagePreference.optional(),
  /**
   * Who texts the customer, instead of the configured sender (SMS_SENDER_NUMBER): one of our numbers, a
   * Messaging Service sid (`MG…`), or an alphanumeric sender id. An alphanumeric id cannot receive replies, so
   * it is refused (400) for a survey with any question. Customers with subnumbering (+47) get a number of the
   * pool whatever this says.
   */
  sender: Sender.optional(),
});
export type SendSurveyRequest = z.infer<typeof SendSurveyRequest>;
export type SendSurveyRequestInput = z.input<typeof SendSurveyRequest>;

/** The `:surveyId` of the public API's paths. */
export const SurveyPathParams = z.object({ surveyId: Text(100).min(1) });

/** The 202 answer to a SendSurvey request: the session that will text the customer. */
export const SendSurveyAccepted = z.object({
  sessionId: z.uuid(),
  surveyId: Text(200),
  surveyVersion: z.number().int().min(1),
  expiresAt: IsoDateTime,
});
export type SendSurveyAccepted = z.infer<typeof SendSurveyAccepted>;
