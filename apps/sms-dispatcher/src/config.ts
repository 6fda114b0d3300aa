import { z } from 'zod';
import { commonEnv, parseConfig, portEnv, resolveTwilioSettings, twilioEnv } from '@sms-survey/service-kit';

export const DispatcherEnv = z.object({
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
  /** Messages (segments) per second by sender, e.g. "+14155550100=3,ACME=10"; others get their kind's default. */
  SENDER_RATES: z
    .string()
    .default('')
    .transform((s, ctx) => {
      const rates: Record<string, number> = {};
      for (const pair of s.split(',').map((p) => p.trim()).filter(Boolean)) {
        const [sender, rate] = pair.split('=');
        const n = Number(rate);
        if (!sender || !(n > 0)) ctx.addIssue({ code: 'custom', message: `"${pair}" is not sender=messagesPerSecond` });
        else rates[sender] = n;
      }
      return rates;
    }),
  /**
   * A send counts in its sender's one-second window from its answer, or from its request's start plus this
   * margin if that is sooner (send-pacer.ts). The default, 1000, in effect counts from the answer, which comes
   * after Twilio received the request, so no two requests of a sender reach Twilio closer than its limit
   * allows, however slow a round trip; the cost is the round trip's share of each window. A smaller margin
   * spends less of each window on slow round trips but relies on the time from a request's start to Twilio
   * receiving it varying by less than the margin; with 100 ms, a loaded benchmark run saw 5 of 10,000
   * requests reach the simulator 57 ms too early (docs/benchmarks.md).
   */
  SEND_WINDOW_MARGIN_MS: z.coerce.number().int().min(0).max(1000).default(1000),
  /** Twilio requests in flight at once, over all senders. */
  TWILIO_MAX_CONCURRENT_REQUESTS: z.coerce.number().int().min(1).max(1000).default(50),
  /**
   * Commands held in memory (consumed, not yet settled) before the fullest partitions are paused; the memory
   * budget of a replica's queues (about 1 KB a command: 20,000 ≈ 20 MB). A backlog of one sender larger than
   * this holds back the other senders of its partition (they are behind it in Kafka), never other partitions'.
   */
  DISPATCH_MAX_BUFFERED: z.coerce.number().int().min(10).max(1_000_000).default(20_000),
  TWILIO_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  TWILIO_RETRY_BASE_MS: z.coerce.number().int().min(1).max(60_000).default(250),
  /**
   * A send left `sending` in the ledger this long is taken to belong to a dispatcher that died mid-send: the
   * next one asks Twilio whether the message exists before sending it. Keep it above the longest Twilio call
   * (request timeout plus retries), or a slow live send can be sent a second time.
   */
  STALE_SEND_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  /**
   * How long the ledger keeps a command that was sent or failed for good, so a redelivered copy is not sent
   * again. Longer than sms.send.v1's retention (7 days): no command still in Kafka outlives its row.
   */
  SEND_LEDGER_RETENTION_DAYS: z.coerce.number().min(1).max(3650).default(14),
  /** How often the ledger rows past their retention are deleted. */
  RETENTION_INTERVAL_MS: z.coerce.number().int().min(1000).max(86_400_000).default(600_000),
});

export type DispatcherConfig = ReturnType<typeof loadDispatcherConfig>;

export function loadDispatcherConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = parseConfig(DispatcherEnv, env);
  return { ...parsed, twilio: resolveTwilioSettings(parsed), STATUS_CALLBACK_BASE_URL: parsed.STATUS_CALLBACK_BASE_URL.replace(/\/$/, '') };
}
