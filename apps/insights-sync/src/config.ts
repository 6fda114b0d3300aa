import { z } from 'zod';
import { commonEnv, parseConfig, portEnv, resolveTwilioSettings, twilioEnv } from '@sms-survey/service-kit';

export const InsightsSyncEnv = z.object({
  ...commonEnv,
  ...twilioEnv,
  PORT: portEnv(3003),
  HOST: z.string().default('127.0.0.1'),
  KAFKA_GROUP_ID: z.string().default('insights-sync'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(5),
  /** The Flex TaskRouter workspace (WS…); defaults to the account's first workspace. */
  TWILIO_WORKSPACE_SID: z.string().regex(/^WS[0-9a-fA-F]{32}$/).optional(),
  /** The Survey workflow (WW…); when unset, the Survey queue, workflow and channel are found or created by name. */
  TWILIO_SURVEY_WORKFLOW_SID: z.string().regex(/^WW[0-9a-fA-F]{32}$/).optional(),
  SURVEY_TASK_CHANNEL: z.string().min(1).default('survey'),
  /** Also create a task, labelled "no response", for sessions that ended without any answer. */
  SURVEY_TASK_FOR_NO_RESPONSE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** The consumer group of follow-up tasks (`survey.answers.v1`); its own, so a retrying follow-up never holds up survey tasks. */
  KAFKA_FOLLOW_UP_GROUP_ID: z.string().default('insights-sync-follow-up'),
  /** Attempts at creating one follow-up task (retryable Twilio failures, with back-off) before it is dead-lettered. */
  FOLLOW_UP_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
});

export type InsightsSyncConfig = ReturnType<typeof loadInsightsSyncConfig>;

export function loadInsightsSyncConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = parseConfig(InsightsSyncEnv, env);
  return { ...parsed, twilio: resolveTwilioSettings(parsed) };
}
