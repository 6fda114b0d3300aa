import { z } from 'zod';
import { commonEnv, parseConfig, portEnv, resolveTwilioSettings, twilioEnv } from '@sms-survey/service-kit';

/** The API key accepted when API_KEYS is not set: for local development only. */
export const DEV_API_KEY = 'dev-api-key';

export const GatewayEnv = z.object({
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
  /**
   * How long a webhook's event waits for others to share its Kafka produce request when none is in flight
   * (0: only until the current turn of the event loop ends; it ends early once as many events are queued as the
   * last request carried, at least 4). Adds at most this much to a webhook's latency; at moderate rates it
   * saves most of a produce request per webhook, for the gateway and for the broker.
   */
  KAFKA_LINGER_MS: z.coerce.number().int().min(0).max(50).default(2),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(5),
  /**
   * Keys accepted on the public API (`Authorization: Bearer <key>` on every /v1 route), comma-separated; list
   * two while rotating. Defaults to `dev-api-key` for local development only: always set it in production.
   */
  API_KEYS: z
    .string()
    .default(DEV_API_KEY)
    .transform((s) => s.split(',').map((k) => k.trim()).filter(Boolean))
    .pipe(z.array(z.string().min(8, 'each key must be at least 8 characters')).min(1)),
  /**
   * A directory of survey definition files (`*.json`). At start each is validated (an invalid one stops the
   * start) and saved as a new version unless identical to the latest; surveys can also be managed through the API.
   */
  SURVEYS_DIR: z.string().optional(),
  /** The Flex TaskRouter workspace (WS…) for outbound SMS tasks; defaults to the account's first workspace. */
  TWILIO_WORKSPACE_SID: z.string().regex(/^WS[0-9a-fA-F]{32}$/, 'must be a workspace sid (WS + 32 hex)').optional(),
  /**
   * The workflow of outbound SMS tasks (`POST /v1/flex/outbound-sms-tasks`): it must route a task to the worker
   * whose `phone` is the task's `targetWorkerPhone` (seed 003's "Match Worker" filter). Against the simulator it
   * defaults to a "Match Worker" workflow found or created there; against Twilio the route answers 503 without it.
   */
  FLEX_OUTBOUND_WORKFLOW_SID: z.string().regex(/^WW[0-9a-fA-F]{32}$/, 'must be a workflow sid (WW + 32 hex)').optional(),
  /** The task channel of outbound SMS tasks. */
  FLEX_OUTBOUND_TASK_CHANNEL: z.string().min(1).max(64).default('sms'),
  /**
   * The survey console's built files (apps/console's Vite build), served under /console; default: apps/console/dist
   * next to the gateway. `/console` says how to build it when the folder has no index.html.
   */
  CONSOLE_DIR: z.string().min(1).optional(),
});

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = parseConfig(GatewayEnv, env);
  return { ...parsed, twilio: resolveTwilioSettings(parsed), PUBLIC_BASE_URL: parsed.PUBLIC_BASE_URL.replace(/\/$/, '') };
}
