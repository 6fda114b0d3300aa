import { z } from 'zod';

/** Unset and empty variables both mean "use the default". */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema);

export const SimulatorEnv = z.object({
  SIMULATOR_PORT: optional(z.coerce.number().int().min(0).max(65535).default(4010)),
  SIMULATOR_HOST: optional(z.string().default('127.0.0.1')),
  TWILIO_ACCOUNT_SID: optional(z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits').default(`AC${'0'.repeat(32)}`)),
  TWILIO_AUTH_TOKEN: optional(z.string().default('simulator-auth-token')),
  SIMULATOR_INBOUND_WEBHOOK_URL: optional(z.url().default('http://127.0.0.1:3000/twilio/messaging/inbound')),
  SIMULATOR_STATUS_CALLBACK_DELAY_MS: optional(z.coerce.number().int().min(0).default(50)),
});

export interface SimulatorConfig {
  host: string;
  port: number;
  accountSid: string;
  authToken: string;
  inboundWebhookUrl: string;
  statusCallbackDelayMs: number;
}

export function loadSimulatorConfig(env: Record<string, string | undefined> = process.env): SimulatorConfig {
  const parsed = SimulatorEnv.safeParse(env);
  if (!parsed.success) throw new Error(`invalid simulator configuration:\n${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  return {
    host: e.SIMULATOR_HOST,
    port: e.SIMULATOR_PORT,
    accountSid: e.TWILIO_ACCOUNT_SID,
    authToken: e.TWILIO_AUTH_TOKEN,
    inboundWebhookUrl: e.SIMULATOR_INBOUND_WEBHOOK_URL,
    statusCallbackDelayMs: e.SIMULATOR_STATUS_CALLBACK_DELAY_MS,
  };
}
