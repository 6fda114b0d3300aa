import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InboundSmsReceived, SurveySendRequested, createMessage } from '@sms-survey/contracts';
import { createPrismaClient, createSqlPool, createSurveyDefinitionRepository, type PrismaClient } from '@sms-survey/db';
import type { EventProducer } from '@sms-survey/kafka';
import type { SenderPolicy } from '@sms-survey/survey-domain';
import { createTestDatabase, silentLogger, type TestDatabase } from '@sms-survey/testing';
import type pg from 'pg';
import { applyBatchOnce, applyOnce } from '../src/apply-once.js';
import { applyReplies } from '../src/apply-replies.js';
import { handleSurveySend } from '../src/handlers/survey-send.handler.js';
import { createOutboxRelay, type OutboxRelay } from '../src/outbox-relay.js';
import { createSurveyCatalog, type SurveyCatalog } from '../src/survey-catalog.js';
import { createSurveyMetrics } from '../src/survey-metrics.js';

// The survey metrics count what a transaction committed, once it has: a rolled-back transaction counts nothing.

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const csat = JSON.parse(readFileSync(new URL('../../../examples/surveys/csat-en-no.json', import.meta.url), 'utf8')) as { id: string };
const senders: SenderPolicy = { defaultSender: '+14155550100', subnumberPool: [], subnumberCountryPrefixes: ['+47'] };
const sending = { zonesOf: () => [] };
const GROUP = 'survey-orchestrator';

describe('survey metrics (counted after commit)', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let sqlPool: pg.Pool;
  let catalog: SurveyCatalog;
  let version: number;
  let relay: OutboxRelay;
  const registry = new Registry();
  const published: unknown[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    prisma = createPrismaClient({ databaseUrl: database.url, poolSize: 4 });
    sqlPool = createSqlPool({ databaseUrl: database.url, poolSize: 2 });
    version = (await createSurveyDefinitionRepository(prisma).save(csat.id, csat)).version;
    catalog = createSurveyCatalog(prisma);
    const producer: EventProducer = {
      connect: async () => undefined,
      disconnect: async () => undefined,
      publish: async (events) => void published.push(...events),
      publishRaw: async () => undefined,
    };
    relay = createOutboxRelay(prisma, producer, silentLogger(), { onCommitted: createSurveyMetrics(registry).committed });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await sqlPool?.end();
    await database?.drop();
  });

  const value = async (name: string, labels: Record<string, string>): Promise<number> => {
    // A histogram's series are named by `metricName` (…_count, …_bucket).
    const series = (await registry.getMetricsAsJSON())
      .flatMap((m) => m.values.map((v) => ({ ...v, name: (v as { metricName?: string }).metricName ?? m.name })))
      .filter((v) => v.name === name && Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l));
    return series.reduce((sum, v) => sum + v.value, 0);
  };
  const sendRequested = (customer: string) =>
    createMessage(SurveySendRequested, {
      type: 'survey.send.requested',
      schemaVersion: 1,
      payload: { sessionId: randomUUID(), surveyId: csat.id, surveyVersion: version, customer, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), userSessionVariables: [] },
    });
  const replyOf = (customer: string, body: string) =>
    createMessage(InboundSmsReceived, {
      type: 'sms.inbound.received',
      schemaVersion: 1,
      payload: { messageSid: 'SM' + randomBytes(16).toString('hex'), accountSid: 'AC' + 'a'.repeat(32), from: customer, to: senders.defaultSender, body, receivedAt: new Date().toISOString() },
    });
  const reply = (customer: string, body: string) =>
    applyReplies({ prisma, sqlPool, relay, consumerGroup: GROUP, deps: { catalog, senders, sending } }, [replyOf(customer, body)], new Date());

  it('a transaction rolled back after its session started counts nothing', async () => {
    const event = sendRequested('+14155601001');
    await expect(
      applyBatchOnce(prisma, relay, GROUP, [event], async (tx, _fresh, outbox) => {
        outbox.add(await handleSurveySend(tx, event, { catalog, senders, sending, now: new Date() }));
        await outbox.flush();
        throw new Error('the database went away');
      }),
    ).rejects.toThrow('went away');
    expect(await value('survey_sessions_started_total', { survey_id: csat.id })).toBe(0);
    expect(await value('sms_requested_total', {})).toBe(0);
    expect(published).toEqual([]);
  });

  it('a session\'s life moves the counters: started, SMS by sender type, invalid replies, answers, completion and its time', async () => {
    const customer = '+14155601002';
    const event = sendRequested(customer);
    await applyOnce(prisma, relay, GROUP, event.id, (tx) => handleSurveySend(tx, event, { catalog, senders, sending, now: new Date() }));
    expect(await value('survey_sessions_started_total', { survey_id: csat.id })).toBe(1);
    expect(await value('sms_requested_total', { sender_type: 'us-ca-long-code', priority: 'new-survey' })).toBe(2); // intro, first question

    await reply(customer, 'maybe'); // not a score: the raw-SQL batch path
    expect(await value('survey_invalid_replies_total', { survey_id: csat.id })).toBe(1);
    await reply(customer, '5');
    expect(await value('survey_answers_recorded_total', { survey_id: csat.id })).toBe(1);
    await reply(customer, 'yes'); // ends the session: the general handler
    expect(await value('survey_answers_recorded_total', { survey_id: csat.id })).toBe(2);
    expect(await value('survey_sessions_ended_total', { survey_id: csat.id, status: 'completed' })).toBe(1);
    expect(await value('survey_completion_seconds_count', { survey_id: csat.id })).toBe(1);
    expect(await value('sms_requested_total', { sender_type: 'us-ca-long-code', priority: 'reply' })).toBe(3);

    // A redelivered reply changes nothing, and counts nothing.
    const again = replyOf(customer, 'yes');
    await applyReplies({ prisma, sqlPool, relay, consumerGroup: GROUP, deps: { catalog, senders, sending } }, [again, again], new Date());
    expect(await value('survey_sessions_ended_total', { survey_id: csat.id, status: 'completed' })).toBe(1);
  });

  it('an opt-out ends the session opted-out; three invalid replies end it abandoned', async () => {
    const stopper = '+14155601003';
    const first = sendRequested(stopper);
    await applyOnce(prisma, relay, GROUP, first.id, (tx) => handleSurveySend(tx, first, { catalog, senders, sending, now: new Date() }));
    await reply(stopper, 'STOP');
    expect(await value('survey_sessions_ended_total', { survey_id: csat.id, status: 'opted-out' })).toBe(1);

    const confused = '+14155601004';
    const second = sendRequested(confused);
    await applyOnce(prisma, relay, GROUP, second.id, (tx) => handleSurveySend(tx, second, { catalog, senders, sending, now: new Date() }));
    for (const body of ['x', 'y', 'z', 'w']) await reply(confused, body);
    expect(await value('survey_sessions_ended_total', { survey_id: csat.id, status: 'abandoned' })).toBe(1);
    expect(await value('survey_invalid_replies_total', { survey_id: csat.id })).toBeGreaterThanOrEqual(4);
  });
});
