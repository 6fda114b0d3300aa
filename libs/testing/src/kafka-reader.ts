import type { IHeaders, Kafka } from 'kafkajs';
import { eventually, uniqueName } from './infrastructure.js';

/** Rejects when `promise` has not settled within `ms`, so a hang fails the test instead of stalling it. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface ReadMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: IHeaders;
}

/**
 * Everything in `topic` right now: every partition read from the beginning by a group of its own, up to the
 * high watermark taken first, so anything acknowledged before the call is included. Sorted by partition, offset.
 */
export async function readAll(kafka: Kafka, topic: string, timeoutMs = 15_000): Promise<ReadMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  // Right after a topic is created the broker may briefly answer "not the leader"; kafkajs does not retry that here.
  const offsets = await eventually(() => admin.fetchTopicOffsets(topic), { timeoutMs: 10_000, what: `the offsets of ${topic}` }).finally(() => admin.disconnect());
  const remaining = new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high)]));
  if (remaining.size === 0) return [];
  const consumer = kafka.consumer({ groupId: uniqueName('reader-') });
  const read: ReadMessage[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await within(
      new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachMessage: async ({ partition, message }) => {
              read.push({ partition, offset: message.offset, key: message.key?.toString('utf8') ?? null, value: message.value, headers: message.headers ?? {} });
              const high = remaining.get(partition);
              if (high !== undefined && BigInt(message.offset) + 1n >= high) remaining.delete(partition);
              if (remaining.size === 0) resolve();
            },
          })
          .catch(reject);
      }),
      timeoutMs,
      `reading ${topic}`,
    );
  } finally {
    await consumer.disconnect();
  }
  return read.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

/** Deletes every topic under `prefix`: test topics are never reused, and each one holds broker file handles. */
export async function deleteTopicsWithPrefix(kafka: Kafka, prefix: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}
