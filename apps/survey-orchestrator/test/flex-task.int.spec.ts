import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FlexTaskLifecycle, createMessage, uuidFromName } from '@sms-survey/contracts';
import { createPrismaClient, createSqlPool, createSurveyCatalog, createSurveyDefinitionRepository, poolSql, type PrismaClient } from '@sms-survey/db';
import type pg from 'pg';
import { parseFlexSurveyPolicies, type FlexSurveyPolicyInput, type SenderPolicy } from '@sms-survey/survey-domain';
import { createTestDatabase, type TestDatabase } from '@sms-survey/testing';
import { applyConsumedOnce, type EngineDeps } from '../src/apply-events.js';
import type { OutboxEntry, OutboxRelay } from '../src/outbox-relay.js';

// The flex task handler on a real database, in transactions like the consumer's: one survey per task and the
// fatigue rule hold when events for the same task, or the same customer, are handled at the same time.

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const csat = JSON.parse(readFileSync(new URL('../../../examples/surveys/csat-en-no.json', import.meta.url), 'utf8')) as { id: string };
const senders: SenderPolicy = { defaultSender: '+14155550100', subnumberPool: [] };
// Any time of day: these tests are not about sending hours.
const sending = { zonesOf: () => [] };
const sid = (prefix: string) => prefix + randomBytes(16).toString('hex');

function policies(...input: FlexSurveyPolicyInput[]) {
  const parsed = parseFlexSurveyPolicies(input);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.policies;
}

function taskEvent(eventType: 'task.wrapup' | 'task.completed', taskSid: string, customer: string) {
  return createMessage(FlexTaskLifecycle, {
    id: uuidFromName(`task-event:${taskSid}:${eventType}`),
    type: 'flex.task.lifecycle',
    schemaVersion: 1,
    payload: {
      eventType,
      taskSid,
      taskAttributes: { from: customer, customerAddress: customer, channelType: 'sms' },
      taskQueueName: 'Support',
      occurredAt: new Date().toISOString(),
    },
  });
}

describe('Flex task events', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let pool: pg.Pool;
  let deps: EngineDeps;

  beforeAll(async () => {
    database = await createTestDatabase();
    prisma = createPrismaClient({ databaseUrl: database.url, poolSize: 2 });
    pool = createSqlPool({ databaseUrl: database.url, poolSize: 6 });
    await createSurveyDefinitionRepository(prisma).save(csat.id, csat);
    const flexPolicies = policies({ match: { queue: 'Support' }, surveyId: csat.id, fatigueDays: 7 }, { match: { queue: 'Ghost' }, surveyId: 'no-such-survey' });
    deps = { flexPolicies, catalog: createSurveyCatalog(poolSql(pool)), senders, sending };
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await pool?.end();
    await database?.drop();
  });

  /** Applies one event in its own transaction, as the consumer does; its outcome and the entries it published. */
  async function handle(event: FlexTaskLifecycle, now = new Date()) {
    const out: OutboxEntry[] = [];
    const relay = { publishCommitted: async (_ids: readonly bigint[], entries: readonly OutboxEntry[]) => void out.push(...entries) } as unknown as OutboxRelay;
    const { results } = await applyConsumedOnce(pool, relay, 'test-group', [event], deps, now);
    return { ...results.get(event.id)!, out };
  }

  it("a task's wrap-up and completion handled at the same time start one survey", async () => {
    const customer = '+4793000001';
    const taskSid = sid('WT');
    const results = await Promise.all([handle(taskEvent('task.wrapup', taskSid, customer)), handle(taskEvent('task.completed', taskSid, customer))]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['already-surveyed', 'survey-started']);
    const started = results.find((r) => r.outcome === 'survey-started')!;
    expect(started.out.length).toBeGreaterThan(0); // the survey's first SMS
    expect(await prisma.surveySession.count({ where: { customer } })).toBe(1);
    expect(await prisma.flexTaskSurvey.findUnique({ where: { taskSid } })).toMatchObject({ sessionId: started.sessionId });
  });

  it('two tasks of one customer handled at the same time: one survey, the other skipped by the fatigue rule', async () => {
    const customer = '+4793000002';
    const results = await Promise.all([handle(taskEvent('task.wrapup', sid('WT'), customer)), handle(taskEvent('task.wrapup', sid('WT'), customer))]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['fatigue', 'survey-started']);
    expect(await prisma.surveySession.count({ where: { customer } })).toBe(1);
  });

  it('the fatigue rule lets a survey through once the days have passed', async () => {
    const customer = '+4793000003';
    expect((await handle(taskEvent('task.wrapup', sid('WT'), customer))).outcome).toBe('survey-started');
    const eightDaysLater = new Date(Date.now() + 8 * 24 * 3600 * 1000);
    expect((await handle(taskEvent('task.wrapup', sid('WT'), customer), eightDaysLater)).outcome).toBe('survey-started');
  });

  it('skips a suppressed customer and a policy naming an unknown survey, claiming nothing', async () => {
    const customer = '+4793000004';
    await prisma.suppressedCustomer.create({ data: { customer, reason: 'texted STOP' } });
    const taskSid = sid('WT');
    expect(await handle(taskEvent('task.wrapup', taskSid, customer))).toMatchObject({ outcome: 'suppressed', out: [], customer, surveyId: csat.id });
    const ghost = taskEvent('task.wrapup', sid('WT'), '+4793000005');
    ghost.payload.taskQueueName = 'Ghost';
    expect(await handle(ghost)).toMatchObject({ outcome: 'unknown-survey', out: [] });
    expect(await prisma.surveySession.count({ where: { customer: { in: [customer, '+4793000005'] } } })).toBe(0);
    expect(await prisma.flexTaskSurvey.count({ where: { taskSid: { in: [taskSid, ghost.payload.taskSid] } } })).toBe(0);
  });
});
