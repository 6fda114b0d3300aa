import { z } from 'zod';
import { parseConfig, resolveTwilioSettings, twilioEnv } from '@sms-survey/service-kit';

const ProvisionFlexEnv = z.object({
  ...twilioEnv,
  /** The Flex TaskRouter workspace (WS…); defaults to the account's first workspace. */
  TWILIO_WORKSPACE_SID: z.string().regex(/^WS[0-9a-fA-F]{32}$/, 'must be a workspace sid (WS + 32 hex)').optional(),
  SURVEY_TASK_QUEUE_NAME: z.string().min(1).max(64).default('Survey'),
  SURVEY_WORKFLOW_NAME: z.string().min(1).max(64).default('Survey'),
  /** Unique name of the survey task channel; insights-sync's SURVEY_TASK_CHANNEL must be the same. */
  SURVEY_TASK_CHANNEL: z.string().min(1).max(64).default('survey'),
});

export type ProvisionFlexConfig = ReturnType<typeof loadProvisionFlexConfig>;

/** The provisioning command's settings: Twilio credentials (none: the local simulator), workspace and names. */
export function loadProvisionFlexConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = parseConfig(ProvisionFlexEnv, env);
  return { ...parsed, twilio: resolveTwilioSettings(parsed) };
}
