import { z } from 'zod';
import { commonEnv, parseConfig, portEnv, resolveTwilioSettings, twilioEnv } from '@sms-survey/service-kit';

const GatewayEnv = z.object({
  ...commonEnv,
  ...twilioEnv,
  PORT: portEnv(3000),
  HOST: z.string().default('127.0.0.1'),
  /**
   * The URL Twilio calls us at (e.g. https://surveys.example.com). Signatures are computed over it, so it must
   * be what Twilio sees, not what the pod sees behind a TLS-terminating ingress.
   */
  PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:3000'),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(64 * 1024),
  KAFKA_PUBLISH_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
});

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = parseConfig(GatewayEnv, env);
  return { ...parsed, twilio: resolveTwilioSettings(parsed), PUBLIC_BASE_URL: parsed.PUBLIC_BASE_URL.replace(/\/$/, '') };
}
