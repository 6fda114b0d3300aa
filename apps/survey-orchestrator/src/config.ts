import { z } from 'zod';
import { SendingHours } from '@sms-survey/sms-domain';
import { E164, ReplyableSender } from '@sms-survey/contracts';
import { commonEnv, parseConfig, portEnv } from '@sms-survey/service-kit';
import { readFlexSurveyPolicies } from './flex-policies-config.js';

const phoneList = z
  .string()
  .default('')
  .transform((s) => s.split(',').map((n) => n.trim()).filter(Boolean))
  .pipe(z.array(E164));

export const OrchestratorEnv = z.object({
  ...commonEnv,
  PORT: portEnv(3001),
  HOST: z.string().default('127.0.0.1'),
  KAFKA_GROUP_ID: z.string().default('survey-orchestrator'),
  KAFKA_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(64).default(6),
  /** Events applied in one transaction at most (fewer when fewer are waiting). */
  KAFKA_MAX_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(200),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /**
   * The sender that texts customers: a Twilio number, or a Messaging Service sid (`MG…`), whose numbers'
   * messaging webhook is the gateway. Not an alphanumeric id: surveys need replies.
   */
  SMS_SENDER_NUMBER: ReplyableSender.default('+4759440000'),
  /** Numbers for subnumbering (Norwegian customers get one per concurrent session); empty turns it off. */
  SMS_SUBNUMBER_POOL: phoneList,
  /** Country prefixes that use subnumbering. */
  SMS_SUBNUMBER_COUNTRIES: z.string().default('+47').transform((s) => s.split(',').map((p) => p.trim()).filter(Boolean)),
  /** Sent when a reply matches no survey at all (a survey's own "not found" text is used when one is known). */
  SURVEY_NOT_FOUND_TEXT: z.string().min(1).optional(),
  EXPIRY_CHECK_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /**
   * How long applied event ids are kept for de-duplication (processed_message). Longer than the consumed topics'
   * retention (7 days), so that no event still in Kafka can be applied twice.
   */
  PROCESSED_EVENT_RETENTION_DAYS: z.coerce.number().min(1).max(3650).default(14),
  /** How long published outbox rows are kept (for inspection); unpublished ones are never deleted. */
  OUTBOX_RETENTION_HOURS: z.coerce.number().min(1).max(24 * 3650).default(24),
  /** How often the rows past their retention are deleted. */
  RETENTION_INTERVAL_MS: z.coerce.number().int().min(1000).max(86_400_000).default(600_000),
  /**
   * Which Flex tasks get which survey when they wrap up (docs/flex.md): a JSON array of policies, first match
   * wins; or FLEX_SURVEY_POLICIES_FILE, a path to a file holding that JSON. Validated at start; none means no
   * survey after any task.
   */
  FLEX_SURVEY_POLICIES: z.string().optional(),
  /**
   * The sending hours of every survey that has none of its own, as JSON in the customer's local time, e.g.
   * {"start":"08:00","end":"21:00"} (TCPA), or with "days" and "holidays" (docs/surveys.md). Unset: any time.
   */
  SENDING_HOURS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return undefined;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON such as {"start":"08:00","end":"21:00"}' });
        return z.NEVER;
      }
      const parsed = SendingHours.safeParse(json);
      if (!parsed.success) {
        for (const i of parsed.error.issues) ctx.addIssue({ code: 'custom', message: `${i.path.join('.') || '(value)'}: ${i.message}` });
        return z.NEVER;
      }
      return parsed.data;
    }),
  /** How often sessions due a reminder are looked for. */
  REMINDER_CHECK_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(5000),
  FLEX_SURVEY_POLICIES_FILE: z.string().optional(),
}).transform((env, ctx) => ({ ...env, flexSurveyPolicies: readFlexSurveyPolicies(env, ctx) }));

export type OrchestratorConfig = z.output<typeof OrchestratorEnv>;

export function loadOrchestratorConfig(env: NodeJS.ProcessEnv = process.env): OrchestratorConfig {
  return parseConfig(OrchestratorEnv, env);
}
