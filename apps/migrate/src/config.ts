import { z } from 'zod';
import { TopicPartitionsEnv } from '@sms-survey/kafka';

/** Unset and empty variables both mean "use the default". */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema);

/** The migrate command's environment (the services' names and defaults for what they share). */
export const MigrateEnv = z.object({
  /** The database to create if missing and migrate. */
  DATABASE_URL: optional(z.url({ protocol: /^postgres(ql)?$/ }).default('postgresql://postgres@127.0.0.1:5432/sms_survey')),
  /** Comma-separated host:port list. */
  KAFKA_BROKERS: optional(
    z
      .string()
      .default('127.0.0.1:9092')
      .transform((s) => s.split(',').map((b) => b.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'each broker must be host:port')).min(1)),
  ),
  /** Prefix of every topic name, the same as the services'. */
  KAFKA_TOPIC_PREFIX: optional(z.string().regex(/^[A-Za-z0-9._-]*$/).default('')),
  /** Partition counts by topic (without the prefix), e.g. "sms.send.v1=24,sms.inbound.v1=12"; others keep their defaults. */
  KAFKA_TOPIC_PARTITIONS: optional(TopicPartitionsEnv),
  /** Replicas of each new topic; -1 uses the broker's default.replication.factor. */
  KAFKA_REPLICATION_FACTOR: optional(z.coerce.number().int().min(-1).default(-1)),
  /** How long each step keeps retrying while PostgreSQL or Kafka cannot be reached (a pod may start first). */
  MIGRATE_TIMEOUT_SECONDS: optional(z.coerce.number().int().min(0).default(120)),
});

export type MigrateConfig = z.output<typeof MigrateEnv>;

export function loadMigrateConfig(env: NodeJS.ProcessEnv = process.env, knownTopics: readonly string[] = []): MigrateConfig {
  const result = MigrateEnv.safeParse(env);
  const problems = result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  if (result.success && knownTopics.length > 0) {
    for (const name of Object.keys(result.data.KAFKA_TOPIC_PARTITIONS)) {
      if (!knownTopics.includes(name)) problems.push(`KAFKA_TOPIC_PARTITIONS: no topic is named ${name} (names are without KAFKA_TOPIC_PREFIX)`);
    }
  }
  if (problems.length > 0 || !result.success) throw new Error(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return result.data;
}
