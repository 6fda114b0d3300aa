import type { Kafka, Message, Producer } from 'kafkajs';
import type { MessageOf, TopicDefinition } from '@sms-survey/contracts';

export interface OutgoingEvent<T extends TopicDefinition = TopicDefinition> {
  topic: T;
  key: string;
  message: MessageOf<T>;
  headers?: Record<string, string>;
}

export interface RawRecord {
  topic: string;
  key: string | Buffer | null;
  value: Buffer | string | null;
  headers?: Record<string, string | Buffer>;
}

/** Our producer: idempotent, acks=all, every message checked against its topic's schema before it leaves. */
export interface EventProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /**
   * Resolves once every event is durably written (acks=all); rejects on timeout or broker failure. Each message
   * is parsed with its topic's schema first, unless the caller passes `{ validated: true }`: only for messages
   * that `createMessage` just built with that same schema (it parses them), so the work is not done twice.
   */
  publish(events: readonly OutgoingEvent[], options?: PublishOptions): Promise<void>;
  /** Writes records as they are (dead letters); topic names here are final, already prefixed. */
  publishRaw(records: readonly RawRecord[]): Promise<void>;
}

export interface PublishOptions {
  /** Every message is the output of `createMessage(topic.schema, …)`: skip the second parse. */
  validated?: boolean;
}

interface Pending {
  records: readonly RawRecord[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

export interface ProducerOptions {
  /** Prefix for every topic name (KAFKA_TOPIC_PREFIX): one cluster, several isolated environments or tests. */
  topicPrefix?: string;
  /** A publish not acknowledged by then rejects (the caller answers 5xx; Twilio retries). */
  publishTimeoutMs?: number;
}

export class PublishTimeoutError extends Error {
  readonly retryable = true;
  constructor(ms: number) {
    super(`Kafka did not acknowledge the write within ${ms} ms`);
  }
}

/**
 * kafkajs sends one request per `send` call. Calls made while a request is in flight are gathered and sent
 * together when it returns: no added latency when idle, one request for many messages under load.
 */
export function createEventProducer(kafka: Kafka, options: ProducerOptions = {}): EventProducer {
  const publishTimeoutMs = options.publishTimeoutMs ?? 5000;
  const prefix = options.topicPrefix ?? '';
  // Unlimited retries keep the idempotent producer's ordering guarantees; publishTimeoutMs bounds the wait.
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 2000 },
  });
  let queue: Pending[] = [];
  let flushing = false;

  async function flush(): Promise<void> {
    if (flushing) return;
    flushing = true;
    try {
      while (queue.length > 0) {
        const batch = queue;
        queue = [];
        const byTopic = new Map<string, Message[]>();
        for (const p of batch) {
          for (const r of p.records) {
            const list = byTopic.get(r.topic) ?? [];
            list.push({ key: r.key, value: r.value, headers: r.headers });
            byTopic.set(r.topic, list);
          }
        }
        try {
          await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
          for (const p of batch) p.resolve();
        } catch (e) {
          for (const p of batch) p.reject(e);
        }
      }
    } finally {
      flushing = false;
    }
  }

  function publishRaw(records: readonly RawRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new PublishTimeoutError(publishTimeoutMs)), publishTimeoutMs);
      queue.push({
        records,
        resolve: () => { clearTimeout(timer); resolve(); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      void flush();
    });
  }

  return {
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    publishRaw,
    publish(events, publishOptions) {
      const validated = publishOptions?.validated === true;
      return publishRaw(
        events.map((e) => ({
          topic: prefix + e.topic.name,
          key: e.key,
          value: JSON.stringify(validated ? e.message : e.topic.schema.parse(e.message)),
          headers: { 'message-type': (e.message as { type: string }).type, ...e.headers },
        })),
      );
    },
  };
}
