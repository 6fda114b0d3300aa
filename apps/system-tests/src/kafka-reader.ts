import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';

export interface ReadMessage {
  key: string | null;
  value: unknown;
  headers: Record<string, string>;
}

/** Collects everything on some topics (from the beginning) so tests can assert on what was published. */
export async function startTopicReader(brokers: string[], topics: string[]): Promise<{ messages: (topic: string) => ReadMessage[]; stop(): Promise<void> }> {
  const kafka = new Kafka({ clientId: 'test-reader', brokers, logLevel: logLevel.NOTHING });
  const consumer: Consumer = kafka.consumer({ groupId: `test-reader-${randomUUID()}`, maxWaitTimeInMs: 200 });
  const seen = new Map<string, ReadMessage[]>(topics.map((t) => [t, []]));
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const raw = message.value?.toString() ?? '';
      let value: unknown = raw;
      try {
        value = JSON.parse(raw);
      } catch {
        // not JSON: keep the text
      }
      seen.get(topic)!.push({
        key: message.key?.toString() ?? null,
        value,
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
      });
    },
  });
  return { messages: (topic) => seen.get(topic) ?? [], stop: () => consumer.disconnect() };
}
