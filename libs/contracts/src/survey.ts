import { z } from 'zod';
import { E164, IsoDateTime, Sender, Text, eventSchema } from './common.js';
import { LANGUAGE_TAG_MAX_LENGTH } from './language-tag.js';

export const SessionEndStatus = z.enum(['completed', 'expired', 'superseded', 'opted-out', 'failed', 'abandoned']);
export type SessionEndStatus = z.infer<typeof SessionEndStatus>;

export const UserSessionVariable = z.object({ key: Text(100).min(1), value: Text(1000) });

export const AnswerValue = z.union([z.number(), Text(1600), z.boolean(), z.array(z.number())]);

export const RecordedAnswer = z.object({
  elementId: Text(200),
  elementType: Text(50),
  rawReply: Text(1600),
  value: AnswerValue,
  answeredAt: IsoDateTime,
});
export type RecordedAnswer = z.infer<typeof RecordedAnswer>;

const SessionRef = {
  sessionId: z.uuid(),
  surveyId: Text(200),
  surveyVersion: z.number().int().min(1),
  clientReference: Text(200).optional(),
  /** The session's language: one of the survey's languages, a BCP 47 tag. */
  language: Text(LANGUAGE_TAG_MAX_LENGTH),
  userSessionVariables: z.array(UserSessionVariable),
  /** Where the session came from, e.g. a Flex task; insights-sync links its task to this. */
  origin: z
    .object({ kind: z.enum(['api', 'flex-task']), taskSid: Text(64).optional(), conversationId: Text(256).optional() })
    .optional(),
};

/** For BI, and insights-sync's follow-up tasks: one event per answer recorded. */
export const SurveyAnswerRecorded = eventSchema(
  'survey.answer.recorded',
  1,
  z.object({
    ...SessionRef,
    answer: RecordedAnswer,
    /** The customer's number: a follow-up task (survey `followUp`) needs it to call back. Absent in events written before it was added. */
    customer: E164.optional(),
    /** Every answer of the session so far, this one included, in the order recorded. Absent in events written before it was added. */
    answersSoFar: z.array(RecordedAnswer).optional(),
  }),
);
export type SurveyAnswerRecorded = z.infer<typeof SurveyAnswerRecorded>;

/** For BI and insights-sync: a session has ended, with every answer it collected. */
export const SurveySessionEnded = eventSchema(
  'survey.session.ended',
  1,
  z.object({
    ...SessionRef,
    status: SessionEndStatus,
    reason: Text(2000).optional(),
    customer: E164,
    answers: z.array(RecordedAnswer),
    startedAt: IsoDateTime,
    endedAt: IsoDateTime,
    /** When the survey's reminder was sent (settings.reminder), if it was. */
    remindedAt: IsoDateTime.optional(),
  }),
);
export type SurveySessionEnded = z.infer<typeof SurveySessionEnded>;

/**
 * A command to start a survey session with one customer (from the public SendSurvey API, or a Flex wrap-up).
 * The gateway picks the survey version and the session id, so a retried request maps to one session.
 */
export const SurveySendRequested = eventSchema(
  'survey.send.requested',
  1,
  z.object({
    sessionId: z.uuid(),
    surveyId: Text(200),
    surveyVersion: z.number().int().min(1),
    customer: E164,
    clientReference: Text(200).optional(),
    expiresAt: IsoDateTime,
    userSessionVariables: z.array(UserSessionVariable).default([]),
    content: Text(1000).optional(),
    /** The language asked for (a BCP 47 tag); the orchestrator picks one of the survey's languages from it. */
    language: Text(LANGUAGE_TAG_MAX_LENGTH).optional(),
    /** The sender asked for (SendSurvey's `sender`): a number, a Messaging Service sid, or an alphanumeric id (for a survey without questions); default: the orchestrator's. */
    sender: Sender.optional(),
    origin: SessionRef.origin,
  }),
);
export type SurveySendRequested = z.infer<typeof SurveySendRequested>;
