import { z } from 'zod';
import { commonEnv, parseConfig, portEnv, resolveTwilioSettings, twilioEnv } from '@sms-survey/service-kit';

const DispatcherEnv = z.object({
  ...commonEnv,
  ...twilioEnv,
  PORT: portEnv(3002),
  HOST: z.string().default('127.0.0.1'),
  KAFKA_GROUP_ID: z.string().default('sms-dispatcher'),
  KAFKA_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(64).default(6),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** The gateway's public URL; Twilio posts delivery status callbacks to <this>/twilio/messaging/status. */
  STATUS_CALLBACK_BASE_URL: z.url().default('http://127.0.0.1:3000'),
  /** How long Twilio may keep trying to deliver (seconds), unless the command says otherwise. */
  SMS_VALIDITY_PERIOD_SECONDS: z.coerce.number().int().min(1).max(36000).default(1800),
  TWILIO_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  TWILIO_RETRY_BASE_MS: z.coerce.number().int().min(1).max(60_000).default(250),
});

export type DispatcherConfig = ReturnType<typeof loadDispatcherConfig>;

export function loadDispatcherConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = parseConfig(DispatcherEnv, env);
  return { ...parsed, twilio: resolveTwilioSettings(parsed), STATUS_CALLBACK_BASE_URL: parsed.STATUS_CALLBACK_BASE_URL.replace(/\/$/, '') };
}
