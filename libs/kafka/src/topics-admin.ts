import type { Kafka } from 'kafkajs';
import { deadLetterTopicName, type TopicDefinition } from '@sms-survey/contracts';

export interface ProvisionOptions {
  /** Overrides of partition counts by topic name (e.g. from KAFKA_TOPIC_PARTITIONS="sms.send.v1=24"). */
  partitions?: Readonly<Record<string, number>>;
  replicationFactor?: number;
  /** Prefix for every topic name; tests use it to isolate themselves. */
  prefix?: string;
}

export interface ProvisionReport {
  created: string[];
  existing: string[];
  partitionsIncreased: string[];
}

/**
 * Creates each topic (and its dead-letter topic) with its configured partitions and settings. Idempotent:
 * existing topics are kept, and grow to the configured partition count when they have fewer.
 */
export async function provisionTopics(kafka: Kafka, topics: readonly TopicDefinition[], options: ProvisionOptions = {}): Promise<ProvisionReport> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const prefix = options.prefix ?? '';
    const wanted = topics.flatMap((t) => {
      const partitions = options.partitions?.[t.name] ?? t.partitions;
      const configEntries = Object.entries(t.config).map(([name, value]) => ({ name, value }));
      return [
        { topic: prefix + t.name, numPartitions: partitions, configEntries },
        { topic: prefix + deadLetterTopicName(t.name), numPartitions: 1, configEntries: [{ name: 'retention.ms', value: String(30 * 24 * 3600 * 1000) }] },
      ];
    });
    const existing = new Set(await admin.listTopics());
    const toCreate = wanted.filter((w) => !existing.has(w.topic));
    if (toCreate.length > 0) {
      await admin.createTopics({ topics: toCreate.map((t) => ({ ...t, replicationFactor: options.replicationFactor ?? -1 })), waitForLeaders: true });
    }
    const report: ProvisionReport = { created: toCreate.map((t) => t.topic), existing: [], partitionsIncreased: [] };
    const already = wanted.filter((w) => existing.has(w.topic));
    if (already.length > 0) {
      const meta = await admin.fetchTopicMetadata({ topics: already.map((t) => t.topic) });
      const grow = [];
      for (const w of already) {
        const have = meta.topics.find((m) => m.name === w.topic)?.partitions.length ?? 0;
        if (have < w.numPartitions) grow.push({ topic: w.topic, count: w.numPartitions });
        else report.existing.push(w.topic);
      }
      if (grow.length > 0) {
        await admin.createPartitions({ topicPartitions: grow });
        report.partitionsIncreased.push(...grow.map((g) => g.topic));
      }
    }
    return report;
  } finally {
    await admin.disconnect();
  }
}
