import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import {
  InboundSmsReceived,
  SmsSendRequested,
  SurveySessionEnded,
  Topics,
  createMessage,
  deadLetterTopicName,
} from '@sms-survey/contracts';
import { createPrismaClient, type PrismaClient } from '@sms-survey/db';
import { eventually } from '@sms-survey/testing';
import { startSystem, waitUntilReady, type RunningSystem } from '../src/index.js';

const SENDER = '+4759440001';

/** Messages on the topic, read from the beginning by a throw-away consumer. */
async function readTopic(kafka: Kafka, topic: string, atLeast: number): Promise<{ value: string; headers: Record<string, string> }[]> {
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` });
  const seen: { value: string; headers: Record<string, string> }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.push({
        value: message.value?.toString() ?? '',
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
      });
    },
  });
  try {
    await eventually(() => seen.length >= atLeast, { what: `${atLeast} message(s) on ${topic}`, timeoutMs: 20_000 });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

describe('redelivery and bad messages', () => {
  let system: RunningSystem;
  let prisma: PrismaClient;
  let kafka: Kafka;
  const topic = (name: string) => system.topicPrefix + name;

  beforeAll(async () => {
    system = await startSystem();
    prisma = createPrismaClient({ databaseUrl: system.database.url });
    kafka = new Kafka({ clientId: 'redelivery-test', brokers: system.env.KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING });
    await waitUntilReady(system);
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await system?.stop();
  });

  async function produce(topicName: string, key: string, value: string) {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: topicName, messages: [{ key, value }] });
    await producer.disconnect();
  }

  it('an inbound SMS event delivered twice is applied once: one reply SMS', async () => {
    const customer = '+4791110001';
    const event = createMessage(InboundSmsReceived, {
      type: 'sms.inbound.received',
      schemaVersion: 1,
      payload: {
        messageSid: 'SM' + '1'.repeat(32),
        accountSid: 'AC' + '0'.repeat(32),
        from: customer,
        to: SENDER,
        body: 'hi',
        receivedAt: new Date().toISOString(),
      },
    });
    await produce(topic(Topics.inboundSms.name), customer, JSON.stringify(event));
    await produce(topic(Topics.inboundSms.name), customer, JSON.stringify(event));
    await eventually(() => system.simulator.state.messages.find((m) => m.to === customer), { what: 'reply SMS' });
    // The marker: a later SMS of the customer (same key, same partition) is applied after the duplicate, and its
    // reply (same sender) sent after any second reply to the first; once it is out, a repeat would be too.
    const later = createMessage(InboundSmsReceived, { type: event.type, schemaVersion: 1, payload: { ...event.payload, messageSid: 'SM' + '5'.repeat(32), body: 'hi again' } });
    await produce(topic(Topics.inboundSms.name), customer, JSON.stringify(later));
    await eventually(() => system.simulator.state.messages.filter((m) => m.to === customer).length >= 2, { what: 'the reply to the later SMS' });
    expect(await prisma.processedMessage.count({ where: { messageId: event.id } })).toBe(1);
    expect(system.simulator.state.messages.filter((m) => m.to === customer)).toHaveLength(2);
    expect(await prisma.outboundMessage.count({ where: { customer } })).toBe(2);
  });

  it('a send command delivered twice sends one SMS', async () => {
    const customer = '+4791110002';
    const command = createMessage(SmsSendRequested, {
      type: 'sms.send.requested',
      schemaVersion: 1,
      payload: { commandId: randomUUID(), from: SENDER, to: customer, body: 'Question 1', priority: 'reply' },
    });
    await produce(topic(Topics.smsSend.name), SENDER, JSON.stringify(command));
    await produce(topic(Topics.smsSend.name), SENDER, JSON.stringify(command));
    await eventually(() => system.simulator.state.messages.find((m) => m.to === customer), { what: 'SMS' });
    const results = await readTopic(kafka, topic(Topics.smsSendResult.name), 2);
    expect(results.filter((r) => r.value.includes(command.payload.commandId)).length).toBeGreaterThanOrEqual(2);
    expect(system.simulator.state.messages.filter((m) => m.to === customer)).toHaveLength(1);
  });

  it('a session-ended event delivered twice creates one survey task', async () => {
    const sessionId = randomUUID();
    const ended = createMessage(SurveySessionEnded, {
      type: 'survey.session.ended',
      schemaVersion: 1,
      payload: {
        sessionId,
        surveyId: 'csat',
        surveyVersion: 1,
        language: 'en',
        userSessionVariables: [{ key: 'agentId', value: 'WK123' }],
        status: 'completed',
        customer: '+4791110003',
        answers: [{ elementId: 'q1', elementType: 'scale', rawReply: '4', value: 4, answeredAt: new Date().toISOString() }],
        startedAt: new Date().toISOString(),
        endedAt: new Date().toISOString(),
      },
    });
    await produce(topic(Topics.surveySessions.name), sessionId, JSON.stringify(ended));
    await produce(topic(Topics.surveySessions.name), sessionId, JSON.stringify(ended));
    await eventually(() => system.simulator.state.tasks.find((t) => t.attributes.includes(sessionId)), { what: 'task' });
    await eventually(async () => (await prisma.linkedTask.findUnique({ where: { sessionId } }))?.state === 'created');
    // The marker: another session's ended event with the same key (same partition) is handled after the duplicate;
    // once its task exists, a second task for the first session would too.
    const laterSessionId = randomUUID();
    const later = createMessage(SurveySessionEnded, { type: ended.type, schemaVersion: 1, payload: { ...ended.payload, sessionId: laterSessionId } });
    await produce(topic(Topics.surveySessions.name), sessionId, JSON.stringify(later));
    await eventually(async () => (await prisma.linkedTask.findUnique({ where: { sessionId: laterSessionId } }))?.state === 'created', { what: 'the later session\'s task' });
    expect(system.simulator.state.tasks.filter((t) => t.attributes.includes(sessionId))).toHaveLength(1);
    const attributes = JSON.parse(system.simulator.state.tasks.find((t) => t.attributes.includes(sessionId))!.attributes);
    expect(attributes.conversations.conversation_measure_1).toBe(4);
  });

  it('a message that fails its schema goes to the dead-letter topic with the reason, and the consumer goes on', async () => {
    const customer = '+4791110004';
    await produce(topic(Topics.inboundSms.name), customer, JSON.stringify({ type: 'sms.inbound.received', schemaVersion: 1, id: 'not-a-uuid', payload: {} }));
    await produce(topic(Topics.inboundSms.name), customer, 'this is not JSON');
    const good = createMessage(InboundSmsReceived, {
      type: 'sms.inbound.received',
      schemaVersion: 1,
      payload: { messageSid: 'SM' + '4'.repeat(32), accountSid: 'AC' + '0'.repeat(32), from: customer, to: SENDER, body: 'hi', receivedAt: new Date().toISOString() },
    });
    await produce(topic(Topics.inboundSms.name), customer, JSON.stringify(good));
    await eventually(() => system.simulator.state.messages.find((m) => m.to === customer), { what: 'reply to the good message' });
    const dead = await readTopic(kafka, topic(deadLetterTopicName(Topics.inboundSms.name)), 2);
    expect(dead.map((d) => d.value)).toContain('this is not JSON');
    const reasons = dead.map((d) => d.headers['dlq-reason'] ?? '');
    expect(reasons.some((r) => r.includes('not JSON'))).toBe(true);
    expect(reasons.some((r) => r.includes('schema validation failed') && r.includes('id'))).toBe(true);
    expect(dead[0]?.headers['dlq-consumer-group']).toBe(`${system.topicPrefix}survey-orchestrator`);
  });
});
