import { createSurveyCatalog, prismaSql } from '@sms-survey/db';
import { PermanentError, RetryableError } from '@sms-survey/kafka';
import { type SurveyDefinitionInput } from '@sms-survey/survey-domain';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFollowUpHandler } from '../src/follow-up.handler.js';
import { CUSTOMER, answerRecordedEvent, createCallbackWorkflow, recorded, startHarness, type Harness } from './helpers.js';

const texts = {
  completion: { en: 'Thanks!' },
  unavailable: { en: 'Unavailable' },
  notFound: { en: 'Not found' },
  invalidReply: { en: 'Invalid' },
  tooManyInvalid: { en: 'Too many' },
};

function npsSurvey(workflowSid: string, extra: Partial<SurveyDefinitionInput> = {}): SurveyDefinitionInput {
  return {
    id: 'nps-follow-up',
    name: 'NPS with follow-up',
    defaultLanguage: 'en',
    languages: ['en'],
    elements: [
      { id: 'reason', type: 'dropdown', text: { en: 'Why did you contact us?' }, options: [{ text: { en: 'Billing' }, value: 'billing' }, { text: { en: 'Other' } }] },
      { id: 'recommend', type: 'nps', text: { en: 'Recommend us?' } },
    ],
    texts,
    followUp: { when: { elementId: 'recommend', condition: { op: 'lte', value: 6 } }, workflowSid, taskChannel: 'voice', priority: 10, timeout: 7200, attributes: { skill: 'retention' } },
    ...extra,
  };
}

describe('follow-up tasks (insights-sync handler, simulator, PostgreSQL)', () => {
  let h: Harness;
  let workflowSid: string;
  let version: number;
  let handle: ReturnType<typeof createFollowUpHandler>;
  let workspaceSid: string;

  const metric = async (outcome: string) =>
    (await h.registry.getSingleMetric('insights_follow_up_tasks_total')!.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
  const rowOf = (sessionId: string, elementId = 'recommend') => h.prisma.followUpTask.findUnique({ where: { sessionId_elementId: { sessionId, elementId } } });
  const session = () => ({ surveyId: 'nps-follow-up', surveyVersion: version, origin: { kind: 'flex-task' as const, taskSid: 'WT0123456789abcdef0123456789abcdef' } });

  beforeAll(async () => {
    h = await startHarness();
    workspaceSid = h.simulator.state.defaultWorkspaceSid;
    workflowSid = await createCallbackWorkflow(h.twilio, workspaceSid);
    version = await h.saveSurvey(npsSurvey(workflowSid));
    handle = createFollowUpHandler({
      prisma: h.prisma,
      twilio: h.twilio,
      logger: h.logger,
      registry: h.registry,
      surveys: createSurveyCatalog(prismaSql(h.prisma)),
      workspaceSid: async () => workspaceSid,
      maxAttempts: 3,
    });
  });

  afterAll(async () => {
    await h?.close();
  });

  beforeEach(() => {
    h.simulator.state.tasks.length = 0;
    h.simulator.state.apiFaults.length = 0;
  });

  it('creates one task for a low score, with the configured routing and what the agent needs; a redelivery creates nothing', async () => {
    const event = answerRecordedEvent(session(), ['recommend', 'nps', 3], { earlier: [recorded('reason', 'dropdown', 0)] });
    await handle(event);
    await handle(event);
    expect(h.simulator.state.tasks).toHaveLength(1);
    const task = h.simulator.state.tasks[0]!;
    expect(task).toMatchObject({ workflowSid, taskChannelUniqueName: 'voice', priority: 10, timeout: 7200, assignmentStatus: 'pending' });
    expect(JSON.parse(task.attributes)).toEqual({
      name: 'Survey follow-up',
      skill: 'retention',
      type: 'survey-follow-up',
      callback: { phone_number: CUSTOMER, reason: '"recommend" answered 3 (follow-up when ≤ 6)' },
      answers: { reason: 0, recommend: 3 },
      survey: { session_id: event.payload.sessionId, survey_id: 'nps-follow-up', survey_version: version, element_id: 'recommend', language: 'en' },
      origin: { task_sid: 'WT0123456789abcdef0123456789abcdef' },
      conversations: { conversation_id: 'WT0123456789abcdef0123456789abcdef' },
    });
    expect(await rowOf(event.payload.sessionId)).toMatchObject({ state: 'created', taskSid: task.sid, attempts: 1 });
    expect(await metric('created')).toBe(1);
    expect(await metric('duplicate')).toBe(1);
  });

  it('creates nothing for a high score, or for another element', async () => {
    await handle(answerRecordedEvent(session(), ['recommend', 'nps', 9]));
    await handle(answerRecordedEvent(session(), ['reason', 'dropdown', 1]));
    expect(h.simulator.state.tasks).toHaveLength(0);
    expect(await metric('not-triggered')).toBeGreaterThanOrEqual(2);
  });

  it('retries a retryable Twilio failure, then creates the task once', async () => {
    h.simulator.state.apiFaults.push({ status: 503, code: 20503, message: 'Service unavailable', pathContains: '/Tasks', method: 'POST', remaining: 1 });
    const event = answerRecordedEvent(session(), ['recommend', 'nps', 0]);
    const error = await handle(event).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toBe('creating the follow-up task failed (attempt 1 of 3): Twilio service unavailable (Twilio error 20503)');
    expect(await rowOf(event.payload.sessionId)).toMatchObject({ state: 'retry', attempts: 1, lastError: expect.stringContaining('20503') });
    await handle(event);
    expect(h.simulator.state.tasks).toHaveLength(1);
    expect(await rowOf(event.payload.sessionId)).toMatchObject({ state: 'created', attempts: 2, lastError: null });
  });

  it('gives up after the last attempt with a clear reason (dead letter), counted in the metrics', async () => {
    h.simulator.state.apiFaults.push({ status: 500, code: 20500, message: 'Internal error', pathContains: '/Tasks', method: 'POST', remaining: 3 });
    const event = answerRecordedEvent(session(), ['recommend', 'nps', 2]);
    const before = await metric('dead-lettered');
    for (let attempt = 1; attempt < 3; attempt++) expect(await handle(event).catch((e: unknown) => e)).toBeInstanceOf(RetryableError);
    const last = await handle(event).catch((e: unknown) => e);
    expect(last).toBeInstanceOf(PermanentError);
    expect((last as Error).message).toBe(`follow-up task for session ${event.payload.sessionId}, element "recommend" not created: gave up after 3 attempts: Twilio internal error (Twilio error 20500)`);
    expect(await rowOf(event.payload.sessionId)).toMatchObject({ state: 'failed', attempts: 3 });
    expect(await metric('dead-lettered')).toBe(before + 1);
    expect(h.simulator.state.tasks).toHaveLength(0);
    // A replayed dead letter tries afresh.
    await handle(event);
    expect(h.simulator.state.tasks).toHaveLength(1);
    expect(await rowOf(event.payload.sessionId)).toMatchObject({ state: 'created', attempts: 1 });
  });

  it('dead-letters at once what Twilio rejects (an unknown workflow), what breaks the limits, and an event without a number', async () => {
    const otherVersion = await h.saveSurvey(npsSurvey('WW00000000000000000000000000000000'));
    const rejected = answerRecordedEvent({ ...session(), surveyVersion: otherVersion }, ['recommend', 'nps', 1]);
    const error = await handle(rejected).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toMatch(/Twilio rejected the task: invalid parameter \(Twilio error 20001\)$/);
    expect(await rowOf(rejected.payload.sessionId)).toMatchObject({ state: 'failed', attempts: 1 });

    // Eleven free-text answers of the longest an SMS reply can be (1,600 characters): over TaskRouter's 16 KB.
    const huge = answerRecordedEvent(session(), ['recommend', 'nps', 1], { earlier: Array.from({ length: 11 }, (_, i) => recorded(`comment-${i}`, 'free-text', 'x'.repeat(1600))) });
    const tooBig = await handle(huge).catch((e: unknown) => e);
    expect(tooBig).toBeInstanceOf(PermanentError);
    expect((tooBig as Error).message).toMatch(/breaks TaskRouter's limits: attributes: \d+ bytes of JSON; TaskRouter accepts at most 16384 \(16 KB\)/);

    const noNumber = answerRecordedEvent(session(), ['recommend', 'nps', 1], { customer: null });
    expect(((await handle(noNumber).catch((e: unknown) => e)) as Error).message).toMatch(/carries no customer number/);
    expect(h.simulator.state.tasks).toHaveLength(0);
  });

  it('dead-letters an answer of a survey version that does not exist', async () => {
    const error = await handle(answerRecordedEvent({ surveyId: 'nope', surveyVersion: 1 }, ['recommend', 'nps', 1])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toBe('cannot decide on a follow-up task: survey nope version 1 does not exist');
  });
});
