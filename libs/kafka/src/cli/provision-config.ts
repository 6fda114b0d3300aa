import { z } from 'zod';

/** Partition counts by topic (without the prefix), e.g. "sms.send.v1=24,sms.inbound.v1=12"; others keep their defaults. */
export const TopicPartitionsEnv = z
  .string()
  .default('')
  .transform((s, ctx) => {
    const out: Record<string, number> = {};
    for (const pair of s.split(',').map((p) => p.trim()).filter(Boolean)) {
      const [name, count] = pair.split('=');
      const n = Number(count);
      if (!name || !Number.isInteger(n) || n < 1) ctx.addIssue({ code: 'custom', message: `"${pair}" is not topic=partitions` });
      else out[name] = n;
    }
    return out;
  });

const ProvisionEnv = z.object({
  KAFKA_BROKERS: z.string().default('127.0.0.1:9092').transform((s) => s.split(',').map((b) => b.trim()).filter(Boolean)),
  KAFKA_TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/).default(''),
  KAFKA_TOPIC_PARTITIONS: TopicPartitionsEnv,
  /** -1 uses the broker's default.replication.factor. */
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(-1).default(-1),
});

export function loadProvisionConfig(env: NodeJS.ProcessEnv = process.env) {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = ProvisionEnv.safeParse(cleaned);
  if (!result.success) {
    throw new Error(`invalid configuration:\n${result.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  return result.data;
}
