import { randomBytes } from 'node:crypto';
import { ROOT_CONTEXT, SpanKind, context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { InboundSmsReceived, Topics, createMessage } from '@sms-survey/contracts';
import { createTestTopics, deleteTopicsWithPrefix, eventually, readAll, silentLogger, uniqueName, within } from '@sms-survey/testing';
import {
  createEventConsumer,
  createEventProducer,
  createKafka,
  messageContext,
  type ConsumedEvent,
  type EventConsumerOptions,
} from '../src/index.js';

// The W3C trace context across Kafka (libs/kafka/src/tracing.ts) against the real broker: injected on publish,
// extracted on consume, in each consumer mode; nothing added while no tracing SDK is registered.

vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

type InboundTopic = typeof Topics.inboundSms;
const hex32 = () => randomBytes(16).toString('hex');
const inbound = (body: string): InboundSmsReceived =>
  createMessage(InboundSmsReceived, {
    type: 'sms.inbound.received',
    schemaVersion: 1,
    payload: { messageSid: `SM${hex32()}`, accountSid: `AC${'0'.repeat(32)}`, from: '+4791234567', to: '+4790000000', body, receivedAt: new Date().toISOString() },
  });

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

async function setup() {
  const { prefix, brokers } = await createTestTopics();
  const logger = silentLogger();
  const kafka = createKafka({ brokers, clientId: uniqueName('kafka-trace-') }, logger);
  cleanups.push(() => deleteTopicsWithPrefix(kafka, prefix));
  const producer = createEventProducer(kafka, { topicPrefix: prefix });
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  return {
    prefix,
    kafka,
    producer,
    async startConsumer(options: Partial<EventConsumerOptions<InboundTopic>>) {
      const consumer = createEventConsumer<InboundTopic>({
        kafka,
        groupId: uniqueName('g-'),
        topics: [Topics.inboundSms],
        producer,
        logger,
        topicPrefix: prefix,
        onFatal: () => undefined,
        ...options,
      });
      cleanups.push(() => within(consumer.stop(), 15_000, 'consumer.stop()'));
      await consumer.start();
      return consumer;
    },
  };
}

// First: the module-level tracers keep the SDK's tracer once they have used it, even after it is shut down.
describe('trace context over Kafka, without a tracing SDK (tracing off)', () => {
  it('adds no header and hands the handler an empty context', async () => {
    const { kafka, producer, prefix, startConsumer } = await setup();
    const received: ConsumedEvent<InboundSmsReceived>[] = [];
    await startConsumer({ handle: async (m) => void received.push(m) });
    await producer.publish([{ topic: Topics.inboundSms, key: 'k', message: inbound('z') }]);
    const [got] = await eventually(() => received.length > 0 && received, { what: 'the message' });
    const spanContext = trace.getSpanContext(got!.context);
    expect(spanContext === undefined || !trace.isSpanContextValid(spanContext)).toBe(true);
    expect(messageContext(got!.event)).toBeUndefined();
    const [raw] = await readAll(kafka, `${prefix}sms.inbound.v1`);
    expect(Object.keys(raw!.headers)).toEqual(['message-type']);
  });
});

describe('trace context over Kafka, with a tracing SDK', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = trace.getTracer('test');
  beforeAll(() => provider.register({ propagator: new W3CTraceContextPropagator() }));
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });
  const spans = () => exporter.getFinishedSpans();
  const spanOf = (event: ConsumedEvent<unknown>) => trace.getSpan(event.context)!;
  const finished = (spanId: string) => eventually(() => spans().find((s) => s.spanContext().spanId === spanId), { what: `span ${spanId} ended` });

  it('one message at a time: the handler runs in a consumer span that is a child of the producer span, child of the publisher', async () => {
    const { producer, prefix, startConsumer } = await setup();
    const received: ConsumedEvent<InboundSmsReceived>[] = [];
    const active: (string | undefined)[] = [];
    await startConsumer({
      handle: async (m) => {
        received.push(m);
        active.push(trace.getActiveSpan()?.spanContext().spanId);
      },
    });
    const message = inbound('hello');
    const root = tracer.startSpan('webhook');
    await context.with(trace.setSpan(ROOT_CONTEXT, root), () => producer.publish([{ topic: Topics.inboundSms, key: 'k', message }]));
    root.end();

    const [got] = await eventually(() => received.length > 0 && received, { what: 'the message' });
    const consumer = await finished(spanOf(got!).spanContext().spanId);
    const send = spans().find((s) => s.name === `send ${prefix}sms.inbound.v1`)!;
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(send.attributes).toMatchObject({ 'messaging.system': 'kafka', 'messaging.destination.name': `${prefix}sms.inbound.v1`, 'messaging.message.id': message.id });
    expect(consumer).toMatchObject({ name: `process ${prefix}sms.inbound.v1`, kind: SpanKind.CONSUMER });
    expect(consumer.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
    expect(consumer.spanContext().traceId).toBe(root.spanContext().traceId);
    expect(consumer.attributes).toMatchObject({ 'messaging.operation.type': 'process', 'messaging.kafka.offset': 0, 'messaging.message.id': message.id });
    expect(active).toEqual([consumer.spanContext().spanId]);
    expect(messageContext(got!.event)).toBe(got!.context);
    // The key (a phone number here) and the body are on no span.
    expect(JSON.stringify([send.attributes, consumer.attributes])).not.toMatch(/4791234567|hello/);
  });

  it('batches: each message has its own span in its own trace; the batch handler runs in a span linked to them', async () => {
    const { producer, startConsumer } = await setup();
    const batches: ConsumedEvent<InboundSmsReceived>[][] = [];
    const active: (ReadableSpan | string | undefined)[] = [];
    // Published while nothing consumes, so that they are fetched together.
    const roots = ['a', 'b', 'c'].map((name) => tracer.startSpan(name));
    for (const root of roots) {
      await context.with(trace.setSpan(ROOT_CONTEXT, root), () => producer.publish([{ topic: Topics.inboundSms, key: 'same-key', message: inbound('x') }]));
      root.end();
    }
    await startConsumer({
      maxBatchSize: 10,
      handleBatch: async (messages) => {
        batches.push(messages);
        active.push(trace.getActiveSpan()?.spanContext().spanId);
      },
    });
    const all = await eventually(() => (batches.flat().length >= 3 ? batches.flat() : undefined), { what: 'three messages' });
    const traceIds = all.map((m) => spanOf(m).spanContext().traceId);
    expect(traceIds).toEqual(roots.map((r) => r.spanContext().traceId));
    const several = batches.find((b) => b.length > 1);
    if (several) {
      const batchSpan = await eventually(() => spans().find((s) => s.spanContext().spanId === active[batches.indexOf(several)]), { what: 'the batch span' });
      expect(batchSpan.links.map((l) => l.context.spanId).sort()).toEqual(several.map((m) => spanOf(m).spanContext().spanId).sort());
      expect(batchSpan.attributes['messaging.batch.message_count']).toBe(several.length);
    }
  });

  it('concurrent mode: the handler gets the message context, whatever context it later runs in', async () => {
    const { producer, startConsumer } = await setup();
    const received: ConsumedEvent<InboundSmsReceived>[] = [];
    await startConsumer({ handleConcurrently: async (m) => void received.push(m) });
    const root = tracer.startSpan('command');
    await context.with(trace.setSpan(ROOT_CONTEXT, root), () => producer.publish([{ topic: Topics.inboundSms, key: 'k', message: inbound('y') }]));
    root.end();
    const [got] = await eventually(() => received.length > 0 && received, { what: 'the message' });
    const consumer = await finished(spanOf(got!).spanContext().spanId);
    expect(consumer.spanContext().traceId).toBe(root.spanContext().traceId);
  });
});

