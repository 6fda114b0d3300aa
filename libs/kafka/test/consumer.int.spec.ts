import { randomBytes } from 'node:crypto';
import { ConfigResourceTypes, type Kafka } from 'kafkajs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ZodError } from 'zod';
import { InboundSmsReceived, Topics, createMessage, deadLetterTopicName } from '@sms-survey/contracts';
import { createTestTopics, deleteTopicsWithPrefix, eventually, readAll, silentLogger, testEnv, uniqueName, within, type ReadMessage } from '@sms-survey/testing';
import {
  PermanentError,
  PublishTimeoutError,
  RetryableError,
  createEventConsumer,
  createEventProducer,
  createKafka,
  provisionTopics,
  type ConsumedEvent,
  type EventConsumer,
  type EventConsumerOptions,
  type EventProducer,
} from '../src/index.js';

// Integration tests against the real broker (KAFKA_BROKERS, default 127.0.0.1:9092). Every test provisions its
// own topics under a fresh prefix and uses fresh consumer group ids, so tests never see each other's messages.

vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

type InboundTopic = typeof Topics.inboundSms;
type Inbound = InboundSmsReceived;

const hex32 = () => randomBytes(16).toString('hex');
const CUSTOMER = '+4791234567';

function inbound(body: string, from = CUSTOMER): Inbound {
  return createMessage(InboundSmsReceived, {
    type: 'sms.inbound.received',
    schemaVersion: 1,
    payload: { messageSid: `SM${hex32()}`, accountSid: `AC${'0'.repeat(32)}`, from, to: '+4790000000', body, receivedAt: new Date().toISOString() },
  });
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  // Last in, first out: consumers stop before the producer they dead-letter through disconnects.
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

const header = (m: ReadMessage, name: string) => m.headers[name]?.toString();

interface Setup {
  prefix: string;
  kafka: Kafka;
  producer: EventProducer;
  fatal: unknown[];
  startConsumer(options: Pick<EventConsumerOptions<InboundTopic>, 'handle'> & Partial<EventConsumerOptions<InboundTopic>>): Promise<EventConsumer>;
}

async function setup(): Promise<Setup> {
  const { prefix, brokers } = await createTestTopics();
  const logger = silentLogger();
  const kafka = createKafka({ brokers, clientId: uniqueName('kafka-int-') }, logger);
  cleanups.push(() => deleteTopicsWithPrefix(kafka, prefix)); // runs last
  const producer = createEventProducer(kafka, { topicPrefix: prefix });
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  const fatal: unknown[] = [];
  return {
    prefix,
    kafka,
    producer,
    fatal,
    async startConsumer(options) {
      const consumer = createEventConsumer<InboundTopic>({
        kafka,
        groupId: uniqueName('g-'),
        topics: [Topics.inboundSms],
        producer,
        logger,
        topicPrefix: prefix,
        onFatal: (e) => fatal.push(e),
        ...options,
      });
      cleanups.push(() => within(consumer.stop(), 15_000, 'consumer.stop()'));
      await consumer.start();
      return consumer;
    },
  };
}

describe('createEventConsumer (real broker)', () => {
  it('hands a valid message to the handler, parsed, with the topic prefix stripped', async () => {
    const { producer, prefix, startConsumer, fatal } = await setup();
    const received: ConsumedEvent<Inbound>[] = [];
    await startConsumer({ handle: async (m) => void received.push(m) });

    const message = inbound('hello');
    await producer.publish([{ topic: Topics.inboundSms, key: CUSTOMER, message }]);

    const [got] = await eventually(() => received.length > 0 && received, { timeoutMs: 20_000, what: 'the handler to be called' });
    expect(got).toMatchObject({ topic: 'sms.inbound.v1', key: CUSTOMER, offset: '0' });
    expect(got!.topic.startsWith(prefix)).toBe(false);
    expect([0, 1]).toContain(got!.partition);
    expect(got!.event).toEqual(message);
    expect(fatal).toEqual([]);
  });

  it('dead-letters a message that is not JSON and one that fails its schema, with the original bytes, and moves on', async () => {
    const { kafka, producer, prefix, startConsumer } = await setup();
    const handled: Inbound[] = [];
    const groupId = uniqueName('g-dlq-');
    await startConsumer({ groupId, handle: async (m) => void handled.push(m.event) });

    const topic = prefix + Topics.inboundSms.name;
    const notJson = Buffer.from([0x7b, 0x6e, 0x6f, 0x74, 0xff, 0x20, 0x6a, 0x73, 0x6f, 0x6e]); // "{not\xff json"
    const invalid = Buffer.from(JSON.stringify({ ...inbound('x'), payload: { ...inbound('x').payload, from: '12345' } }));
    // One key, so one partition: the valid message is handled only after both bad ones were dealt with.
    await producer.publishRaw([{ topic, key: CUSTOMER, value: notJson, headers: { 'trace-id': 'abc' } }]);
    await producer.publishRaw([{ topic, key: CUSTOMER, value: invalid }]);
    const valid = inbound('after the bad ones');
    await producer.publish([{ topic: Topics.inboundSms, key: CUSTOMER, message: valid }]);

    await eventually(() => handled.length > 0, { timeoutMs: 20_000, what: 'the valid message after the bad ones' });
    expect(handled).toEqual([valid]);

    const dead = await readAll(kafka, deadLetterTopicName(topic));
    expect(dead).toHaveLength(2);
    // Dead-letter topics may have several partitions: tell the two apart by the offset they came from.
    const [first, second] = [...dead].sort((a, b) => Number(header(a, 'dlq-original-offset')) - Number(header(b, 'dlq-original-offset'))) as [ReadMessage, ReadMessage];
    expect(first.value).toEqual(notJson);
    expect(first.key).toBe(CUSTOMER);
    expect(header(first, 'dlq-reason')).toMatch(/^not JSON: SyntaxError/);
    expect(header(first, 'trace-id')).toBe('abc');
    expect(header(first, 'dlq-original-topic')).toBe(topic);
    expect(header(first, 'dlq-original-offset')).toBe('0');
    expect(header(first, 'dlq-consumer-group')).toBe(prefix + groupId);
    expect(second.value).toEqual(invalid);
    expect(second.key).toBe(CUSTOMER);
    expect(header(second, 'dlq-reason')).toMatch(/^schema validation failed: payload\.from: must be an E\.164 phone number/);
    expect(header(second, 'dlq-original-offset')).toBe('1');
    expect(header(second, 'dlq-original-partition')).toBe(header(first, 'dlq-original-partition'));
  });

  describe('handler failures', () => {
    /** Publishes `bodies` under one key (one partition, so in order) and records every handler call. */
    async function run(maxAttempts: number, behaviour: (body: string, call: number) => void) {
      const ctx = await setup();
      const calls: string[] = [];
      await ctx.startConsumer({
        maxAttempts,
        handle: async ({ event }) => {
          calls.push(event.payload.body);
          behaviour(event.payload.body, calls.filter((b) => b === event.payload.body).length);
        },
      });
      const publish = (body: string) => ctx.producer.publish([{ topic: Topics.inboundSms, key: CUSTOMER, message: inbound(body) }]);
      const deadLetters = () => readAll(ctx.kafka, deadLetterTopicName(ctx.prefix + Topics.inboundSms.name));
      return { ...ctx, calls, publish, deadLetters };
    }

    it('dead-letters at once on a PermanentError', async () => {
      const t = await run(5, (body) => {
        if (body === 'bad') throw new PermanentError('survey 42 does not exist');
      });
      await t.publish('bad');
      await t.publish('next');
      await eventually(() => t.calls.includes('next'), { timeoutMs: 20_000, what: 'the next message' });
      expect(t.calls).toEqual(['bad', 'next']);
      const dead = await t.deadLetters();
      expect(dead).toHaveLength(1);
      expect(header(dead[0]!, 'dlq-reason')).toMatch(/^handler failed after 1 attempt\(s\): .*survey 42 does not exist/);
      expect(JSON.parse(dead[0]!.value!.toString()).payload.body).toBe('bad');
    });

    it('retries a plain Error maxAttempts times, then dead-letters it', async () => {
      const t = await run(3, (body) => {
        if (body === 'flaky') throw new Error('something odd');
      });
      await t.publish('flaky');
      await t.publish('next');
      await eventually(() => t.calls.includes('next'), { timeoutMs: 20_000, what: 'the next message' });
      expect(t.calls).toEqual(['flaky', 'flaky', 'flaky', 'next']);
      const dead = await t.deadLetters();
      expect(dead).toHaveLength(1);
      expect(header(dead[0]!, 'dlq-reason')).toMatch(/^handler failed after 3 attempt\(s\): Error: something odd/);
    });

    it('retries a RetryableError past maxAttempts until it succeeds, dead-lettering nothing', async () => {
      // maxAttempts 2 < 3 calls: were the flag ignored, the message would be dead-lettered after the second.
      const t = await run(2, (body, call) => {
        if (body === 'db-down' && call <= 2) throw new RetryableError('database unavailable');
      });
      await t.publish('db-down');
      await eventually(() => t.calls.length >= 3, { timeoutMs: 20_000, what: 'the third attempt' });
      await t.publish('next');
      await eventually(() => t.calls.includes('next'), { timeoutMs: 20_000, what: 'the next message' });
      expect(t.calls).toEqual(['db-down', 'db-down', 'db-down', 'next']);
      expect(await t.deadLetters()).toEqual([]);
    });
  });

  it('with handleBatch and handle: a failed batch is handled again one message at a time, so only the bad one is dead-lettered', async () => {
    const { kafka, producer, prefix, startConsumer } = await setup();
    const handledInBatches: string[] = [];
    const handledAlone: string[] = [];
    const poison = (body: string) => {
      if (body === 'poison') throw new PermanentError('cannot apply this reply');
    };
    await startConsumer({
      handleBatch: async (messages) => {
        const bodies = messages.map((m) => m.event.payload.body);
        bodies.forEach(poison);
        handledInBatches.push(...bodies);
      },
      handle: async ({ event }) => {
        poison(event.payload.body);
        handledAlone.push(event.payload.body);
      },
    });
    // One publish under one key: one partition, and most likely one fetched batch.
    await producer.publish(['a', 'poison', 'b'].map((body) => ({ topic: Topics.inboundSms, key: CUSTOMER, message: inbound(body) })));
    await producer.publish([{ topic: Topics.inboundSms, key: CUSTOMER, message: inbound('c') }]);

    await eventually(() => [...handledInBatches, ...handledAlone].includes('c'), { timeoutMs: 20_000, what: 'the message after the failed batch' });
    expect([...handledInBatches, ...handledAlone].sort()).toEqual(['a', 'b', 'c']);
    const dead = await readAll(kafka, deadLetterTopicName(prefix + Topics.inboundSms.name));
    expect(dead.map((m) => JSON.parse(m.value!.toString()).payload.body)).toEqual(['poison']);
    expect(header(dead[0]!, 'dlq-reason')).toMatch(/cannot apply this reply/);
  });

  it('commits an offset only once its handler resolved: a message whose handler never finished is redelivered', async () => {
    const { producer, startConsumer, fatal } = await setup();
    const groupId = uniqueName('g-redeliver-');
    const first = inbound('one');
    const second = inbound('two');
    const seenByFirst: string[] = [];
    const consumer1 = await startConsumer({
      groupId,
      stopGraceMs: 1000,
      handle: async ({ event }) => {
        seenByFirst.push(event.id);
        if (event.id === second.id) await new Promise<never>(() => undefined); // never resolves
      },
    });
    await producer.publish([{ topic: Topics.inboundSms, key: CUSTOMER, message: first }]);
    await eventually(() => seenByFirst.includes(first.id), { timeoutMs: 20_000, what: 'the first message' });
    await producer.publish([{ topic: Topics.inboundSms, key: CUSTOMER, message: second }]);
    await eventually(() => seenByFirst.includes(second.id), { timeoutMs: 20_000, what: 'the second message to reach the stuck handler' });

    await within(consumer1.stop(), 10_000, 'stopping a consumer whose handler hangs');

    const seenBySecond: string[] = [];
    await startConsumer({ groupId, handle: async ({ event }) => void seenBySecond.push(event.id) });
    await eventually(() => seenBySecond.length > 0, { timeoutMs: 20_000, what: 'redelivery to the next consumer of the group' });
    // The handled message stays committed; the one whose handler never resolved comes again.
    expect(seenBySecond[0]).toBe(second.id);
    expect(seenBySecond).not.toContain(first.id);
    expect(fatal).toEqual([]);
  });
});

describe('createEventProducer (real broker)', () => {
  it('throws on a message that fails its schema, sending nothing of that publish', async () => {
    const { kafka, producer, prefix } = await setup();
    const good = inbound('fine');
    const bad = { ...inbound('bad'), payload: { ...inbound('bad').payload, to: 'not-a-number' } };
    await expect(async () =>
      producer.publish([
        { topic: Topics.inboundSms, key: CUSTOMER, message: good },
        { topic: Topics.inboundSms, key: CUSTOMER, message: bad },
      ]),
    ).rejects.toThrow(ZodError);
    // Anything the failed publish had sent would be in the log before this marker.
    const marker = inbound('marker');
    await producer.publish([{ topic: Topics.inboundSms, key: CUSTOMER, message: marker }]);
    const all = await readAll(kafka, prefix + Topics.inboundSms.name);
    expect(all.map((m) => JSON.parse(m.value!.toString()).id)).toEqual([marker.id]);
    expect(header(all[0]!, 'message-type')).toBe('sms.inbound.received');
  });

  describe('with the broker unreachable (nothing listens on 127.0.0.1:1)', () => {
    function unreachableProducer() {
      const kafka = createKafka({ brokers: ['127.0.0.1:1'], clientId: uniqueName('unreachable-') }, silentLogger());
      const producer = createEventProducer(kafka, { topicPrefix: uniqueName('t') + '.', publishTimeoutMs: 500 });
      cleanups.push(() => producer.disconnect());
      return producer;
    }

    it('rejects at once when never connected', async () => {
      const producer = unreachableProducer();
      const started = performance.now();
      await expect(producer.publish([{ topic: Topics.inboundSms, key: CUSTOMER, message: inbound('lost') }])).rejects.toThrow();
      expect(performance.now() - started).toBeLessThan(500);
    });

    it('rejects the same way while connect() is still retrying', async () => {
      const producer = unreachableProducer();
      const connecting = producer.connect().catch(() => undefined); // kafkajs keeps retrying for ~20 s
      const started = performance.now();
      await expect(producer.publish([{ topic: Topics.inboundSms, key: CUSTOMER, message: inbound('lost') }])).rejects.toThrow();
      expect(performance.now() - started).toBeLessThan(500);
      void connecting;
    });
  });

  it('rejects with a retryable PublishTimeoutError after publishTimeoutMs when the write is not acknowledged', async () => {
    // Connected to the real broker, but the topic does not exist (never provisioned; auto-creation is off):
    // kafkajs keeps retrying, so only our timer can end the publish.
    const kafka = createKafka({ brokers: testEnv.kafkaBrokers, clientId: uniqueName('timeout-') }, silentLogger());
    const producer = createEventProducer(kafka, { topicPrefix: uniqueName('missing') + '.', publishTimeoutMs: 500 });
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const started = performance.now();
    const error = await producer.publish([{ topic: Topics.inboundSms, key: CUSTOMER, message: inbound('lost') }]).then(
      () => expect.unreachable('publish to a missing topic resolved'),
      (e: unknown) => e,
    );
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(PublishTimeoutError);
    expect(error).toMatchObject({ retryable: true });
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(1500);
  });
});

describe('provisionTopics (real broker)', () => {
  it('is idempotent and grows partition counts', async () => {
    const kafka = createKafka({ brokers: testEnv.kafkaBrokers, clientId: uniqueName('provision-') }, silentLogger());
    const prefix = uniqueName('t') + '.';
    cleanups.push(() => deleteTopicsWithPrefix(kafka, prefix));
    const topics = [Topics.inboundSms, Topics.messageStatus];
    const names = [`${prefix}sms.inbound.v1`, `${prefix}sms.inbound.v1.dlq`, `${prefix}sms.status.v1`, `${prefix}sms.status.v1.dlq`];
    const small = { 'sms.inbound.v1': 1, 'sms.status.v1': 2 };

    const first = await provisionTopics(kafka, topics, { prefix, partitions: small });
    expect([...first.created].sort()).toEqual(names);
    expect(first.existing).toEqual([]);
    expect(first.partitionsIncreased).toEqual([]);

    const second = await provisionTopics(kafka, topics, { prefix, partitions: small });
    expect(second.created).toEqual([]);
    expect([...second.existing].sort()).toEqual(names);
    expect(second.partitionsIncreased).toEqual([]);

    const third = await provisionTopics(kafka, topics, { prefix, partitions: { ...small, 'sms.inbound.v1': 3 } });
    expect(third.created).toEqual([]);
    expect(third.partitionsIncreased).toEqual([`${prefix}sms.inbound.v1`]);

    const admin = kafka.admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics: names });
      const counts = Object.fromEntries(meta.topics.map((t) => [t.name, t.partitions.length]));
      expect(counts).toEqual({ [names[0]!]: 3, [names[1]!]: 1, [names[2]!]: 2, [names[3]!]: 1 });
      // Created with the topic's own settings.
      const configs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: names[0]! }] });
      const entries = Object.fromEntries(configs.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
      expect(entries['retention.ms']).toBe(Topics.inboundSms.config['retention.ms']);
    } finally {
      await admin.disconnect();
    }

    // Growing does not count as creating, and a fourth run is quiet again.
    const fourth = await provisionTopics(kafka, topics, { prefix, partitions: { ...small, 'sms.inbound.v1': 3 } });
    expect(fourth.created).toEqual([]);
    expect(fourth.partitionsIncreased).toEqual([]);
  });
});
