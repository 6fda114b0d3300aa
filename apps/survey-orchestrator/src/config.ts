import { z } from 'zod';
import { commonEnv, parseConfig, portEnv } from '@sms-survey/service-kit';

const OrchestratorEnv = z.object({
  ...commonEnv,
  PORT: portEnv(3001),
  HOST: z.string().default('127.0.0.1'),
  KAFKA_GROUP_ID: z.string().default('survey-orchestrator'),
  KAFKA_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(64).default(3),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** Sent when a reply matches no survey session (seed step 1 of reply handling). */
  SURVEY_NOT_FOUND_TEXT: z.string().min(1).default('Sorry, we could not find an active survey for this number.'),
});

export type OrchestratorConfig = z.output<typeof OrchestratorEnv>;

export function loadOrchestratorConfig(env: NodeJS.ProcessEnv = process.env): OrchestratorConfig {
  return parseConfig(OrchestratorEnv, env);
}
