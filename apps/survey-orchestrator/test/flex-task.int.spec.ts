import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FlexTaskLifecycle, createMessage, uuidFromName } from '@sms-survey/contracts';
import { createPrismaClient, createSurveyDefinitionRepository, type PrismaClient } from '@sms-survey/db';
import { parseFlexSurveyPolicies, type FlexSurveyPolicyInput, type SenderPolicy } from '@sms-survey/survey-domain';
import { createTestDatabase, type TestDatabase } from '@sms-survey/testing';
import { handleFlexTaskEvent, type FlexTaskDeps } from '../src/handlers/flex-task.handler.js';
import { createSurveyCatalog } from '../src/survey-catalog.js';

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

describe('handleFlexTaskEvent', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let deps: Omit<FlexTaskDeps, 'now'>;

  beforeAll(async () => {
    database = await createTestDatabase();
    prisma = createPrismaClient({ databaseUrl: database.url, poolSize: 6 });
    await createSurveyDefinitionRepository(prisma).save(csat.id, csat);
    deps = { policies: policies({ match: { queue: 'Support' }, surveyId: csat.id, fatigueDays: 7 }, { match: { queue: 'Ghost' }, surveyId: 'no-such-survey' }), catalog: createSurveyCatalog(prisma), senders, sending };
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.drop();
  });

  const handle = (event: FlexTaskLifecycle, extra: Partial<FlexTaskDeps> = {}) =>
    prisma.$transaction((tx) => handleFlexTaskEvent(tx, event, { ...deps, now: new Date(), ...extra }));

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
    expect((await handle(taskEvent('task.wrapup', sid('WT'), customer), { now: eightDaysLater })).outcome).toBe('survey-started');
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
