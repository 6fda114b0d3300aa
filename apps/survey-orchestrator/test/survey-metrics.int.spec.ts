import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inboundSms, surveySendRequested } from './events.js';
import { createPrismaClient, createSqlPool, createSurveyCatalog, createSurveyDefinitionRepository, poolSql, type PrismaClient, type SurveyCatalog } from '@sms-survey/db';
import type { EventProducer } from '@sms-survey/kafka';
import type { SenderPolicy } from '@sms-survey/survey-domain';
import { createTestDatabase, silentLogger, type TestDatabase } from '@sms-survey/testing';
import type pg from 'pg';
import { applyConsumedOnce, applyEventsInScene, type ConsumedEvent, type EngineDeps } from '../src/apply-events.js';
import { createOutboxRelay, type OutboxRelay } from '../src/outbox-relay.js';
import { inOutboxTransaction } from '../src/transaction.js';
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
    catalog = createSurveyCatalog(poolSql(sqlPool));
    const producer: EventProducer = {
      connect: async () => undefined,
      disconnect: async () => undefined,
      publish: async (events) => void published.push(...events),
      publishRaw: async () => undefined,
    };
    relay = createOutboxRelay(sqlPool, producer, silentLogger(), { onCommitted: createSurveyMetrics(registry).committed });
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
  const sendRequested = (customer: string) => surveySendRequested(customer, { id: csat.id, version });
  const replyOf = (customer: string, body: string) => inboundSms(customer, senders.defaultSender, body);
  const engine = (): EngineDeps => ({ catalog, senders, sending, flexPolicies: [] });
  const apply = (...events: ConsumedEvent[]) => applyConsumedOnce(sqlPool, relay, GROUP, events, engine());
  const reply = (customer: string, body: string) => apply(replyOf(customer, body));

  it('a transaction rolled back after its session started counts nothing', async () => {
    const event = sendRequested('+14155601001');
    await expect(
      inOutboxTransaction(sqlPool, relay, 1, async (sql, outbox) => {
        await applyEventsInScene(sql, outbox, [event], engine(), new Date());
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
    await apply(event);
    expect(await value('survey_sessions_started_total', { survey_id: csat.id })).toBe(1);
    expect(await value('sms_requested_total', { sender_type: 'us-ca-long-code', priority: 'new-survey' })).toBe(2); // intro, first question

    await reply(customer, 'maybe'); // not a score
    expect(await value('survey_invalid_replies_total', { survey_id: csat.id })).toBe(1);
    await reply(customer, '5');
    expect(await value('survey_answers_recorded_total', { survey_id: csat.id })).toBe(1);
    await reply(customer, 'yes'); // ends the session
    expect(await value('survey_answers_recorded_total', { survey_id: csat.id })).toBe(2);
    expect(await value('survey_sessions_ended_total', { survey_id: csat.id, status: 'completed' })).toBe(1);
    expect(await value('survey_completion_seconds_count', { survey_id: csat.id })).toBe(1);
    expect(await value('sms_requested_total', { sender_type: 'us-ca-long-code', priority: 'reply' })).toBe(3);

    // A redelivered reply changes nothing, and counts nothing.
    const again = replyOf(customer, 'yes');
    await apply(again, again);
    expect(await value('survey_sessions_ended_total', { survey_id: csat.id, status: 'completed' })).toBe(1);
  });

  it('an opt-out ends the session opted-out; three invalid replies end it abandoned', async () => {
    const stopper = '+14155601003';
    const first = sendRequested(stopper);
    await apply(first);
    await reply(stopper, 'STOP');
    expect(await value('survey_sessions_ended_total', { survey_id: csat.id, status: 'opted-out' })).toBe(1);

    const confused = '+14155601004';
    const second = sendRequested(confused);
    await apply(second);
    for (const body of ['x', 'y', 'z', 'w']) await reply(confused, body);
    expect(await value('survey_sessions_ended_total', { survey_id: csat.id, status: 'abandoned' })).toBe(1);
    expect(await value('survey_invalid_replies_total', { survey_id: csat.id })).toBeGreaterThanOrEqual(4);
  });
});
