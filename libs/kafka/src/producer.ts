import { SpanKind, SpanStatusCode, context, trace, type Context, type Span } from '@opentelemetry/api';
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import type { MessageOf, TopicDefinition } from '@sms-survey/contracts';
import { traceHeaders, tracer } from './tracing.js';

export interface OutgoingEvent<T extends TopicDefinition = TopicDefinition> {
  topic: T;
  key: string;
  message: MessageOf<T>;
  headers?: Record<string, string>;
  /**
   * The trace context the message is published in (its producer span's parent, whose `traceparent` goes into the
   * headers); the active context when absent. Given where the publish runs outside the work it belongs to: the
   * outbox (a stored context), results gathered from several commands into one write (the dispatcher).
   */
  context?: Context;
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
  /**
   * How long a publish made while the producer is idle waits for others to join its produce request. 0 (the
   * default) waits only for the current turn of the event loop (`setImmediate`): no timer, and everything
   * published by the same batch of I/O events goes out together. A millisecond or two lets moderate, steady
   * rates share requests too (one request per webhook costs both the client and the broker far more CPU than
   * the message itself). The wait ends early once as many records are queued as the previous request carried
   * (at least `LINGER_MIN_RECORDS`): callers that each wait for their ack before publishing again (a fixed
   * number of connections) come back about as many as were acknowledged together, and would otherwise all
   * wait out the linger on every round.
   */
  lingerMs?: number;
}

/**
 * The fewest queued records that end a linger early. Without a floor, a steady moderate rate would ratchet
 * the batches down (a batch of one would end the next linger at one record, and so on).
 */
export const LINGER_MIN_RECORDS = 4;

export class PublishTimeoutError extends Error {
  readonly retryable = true;
  constructor(ms: number) {
    super(`Kafka did not acknowledge the write within ${ms} ms`);
  }
}

/**
 * kafkajs sends one request per `send` call. Calls made while a request is in flight are gathered and sent
 * together when it returns; when idle, the first call waits up to `lingerMs` (at least until the event loop's
 * current turn ends) for others to join it. One request in flight at a time keeps the order of the queue.
 */
export function createEventProducer(kafka: Kafka, options: ProducerOptions = {}): EventProducer {
  const publishTimeoutMs = options.publishTimeoutMs ?? 5000;
  const prefix = options.topicPrefix ?? '';
  // Unlimited retries keep the idempotent producer's ordering guarantees; publishTimeoutMs bounds the wait.
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // Named explicitly (it is kafkajs 2's default, the Java client's murmur2): kafkajs warns at start otherwise.
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 2000 },
  });
  const lingerMs = options.lingerMs ?? 0;
  let queue: Pending[] = [];
  let queuedRecords = 0;
  /** Records in the last request sent: enough of them queued end a linger (see `lingerMs`). */
  let lastBatchRecords = 0;
  let flushing = false;
  /** Set while a flush is scheduled (the linger) and not yet started. */
  let scheduled: { cancel: () => void } | undefined;

  function scheduleFlush(): void {
    if (flushing) return; // a running flush sends what was queued meanwhile as soon as its request returns
    if (queuedRecords >= Math.max(LINGER_MIN_RECORDS, lastBatchRecords)) {
      void flush(); // cancels the linger
      return;
    }
    if (scheduled) return;
    const run = () => { scheduled = undefined; void flush(); };
    if (lingerMs > 0) {
      const timer = setTimeout(run, lingerMs);
      scheduled = { cancel: () => clearTimeout(timer) };
    } else {
      const immediate = setImmediate(run);
      scheduled = { cancel: () => clearImmediate(immediate) };
    }
  }

  async function flush(): Promise<void> {
    if (flushing) return;
    scheduled?.cancel();
    scheduled = undefined;
    flushing = true;
    try {
      while (queue.length > 0) {
        const batch = queue;
        queue = [];
        lastBatchRecords = queuedRecords;
        queuedRecords = 0;
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
      queuedRecords += records.length;
      queue.push({
        records,
        resolve: () => { clearTimeout(timer); resolve(); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      scheduleFlush();
    });
  }

  return {
    connect: () => producer.connect(),
    async disconnect() {
      // What is still lingering goes out now, not to a disconnected client.
      if (scheduled) await flush();
      await producer.disconnect();
    },
    publishRaw,
    publish(events, publishOptions) {
      const validated = publishOptions?.validated === true;
      let spans: Span[] | undefined;
      const records = events.map((e): RawRecord => {
        const topic = prefix + e.topic.name;
        const message = e.message as { type: string; id: string };
        const value = JSON.stringify(validated ? e.message : e.topic.schema.parse(e.message));
        const headers: Record<string, string> = { 'message-type': message.type, ...e.headers };
        // One producer span per message, a child of the work it belongs to; its context goes into the headers.
        // Without a tracing SDK the span is a no-op with no valid context, and nothing is added.
        const parent = e.context ?? context.active();
        const span = tracer.startSpan(`send ${topic}`, { kind: SpanKind.PRODUCER }, parent);
        if (trace.isSpanContextValid(span.spanContext())) {
          if (span.isRecording()) {
            span.setAttributes({
              'messaging.system': 'kafka',
              'messaging.operation.type': 'send',
              'messaging.operation.name': 'send',
              'messaging.destination.name': topic,
              'messaging.message.id': message.id,
            });
          }
          Object.assign(headers, traceHeaders(trace.setSpan(parent, span)));
          (spans ??= []).push(span);
        }
        return { topic, key: e.key, value, headers };
      });
      const written = publishRaw(records);
      if (!spans) return written;
      const traced = spans;
      return written.then(
        () => {
          for (const span of traced) span.end();
        },
        (error: unknown) => {
          for (const span of traced) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
            span.end();
          }
          throw error;
        },
      );
    },
  };
}
