import { createSurveyCatalog, prismaSql } from '@sms-survey/db';
import { type SurveyDefinitionInput } from '@sms-survey/survey-domain';
import { ensureSurveyTaskRouter } from '@sms-survey/twilio';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLinkedTaskHandler } from '../src/linked-task.handler.js';
import { CUSTOMER, sessionEndedEvent, startHarness, type Harness } from './helpers.js';

const csat: SurveyDefinitionInput = {
  id: 'csat-mapped',
  name: 'CSAT with an insights mapping',
  defaultLanguage: 'en',
  languages: ['en'],
  elements: [
    { id: 'satisfaction', type: 'scale', min: 1, max: 5, text: { en: 'How satisfied?' } },
    { id: 'use-again', type: 'yes-no', text: { en: 'Again?' } },
    { id: 'what-went-wrong', type: 'free-text', text: { en: 'What went wrong?' } },
  ],
  texts: { completion: { en: 'Thanks!' }, unavailable: { en: 'U' }, notFound: { en: 'N' }, invalidReply: { en: 'I' }, tooManyInvalid: { en: 'T' } },
  insights: { measures: { satisfaction: 2 }, labels: { 'use-again': 1 }, attributes: { 'what-went-wrong': 3 } },
};

describe('linked survey task (insights-sync handler, simulator, PostgreSQL)', () => {
  let h: Harness;
  let version: number;
  let surveyWorkflowSid: string;
  let workspaceSid: string;

  const handlerWith = (taskForNoResponse: boolean) =>
    createLinkedTaskHandler({
      prisma: h.prisma,
      twilio: h.twilio,
      logger: h.logger,
      registry: new Registry(),
      taskRouter: async () => ({ workspaceSid, workflowSid: surveyWorkflowSid }),
      taskChannel: 'survey',
      taskForNoResponse,
      surveys: createSurveyCatalog(prismaSql(h.prisma)),
    });
  const session = () => ({ surveyId: 'csat-mapped', surveyVersion: version, origin: { kind: 'flex-task' as const, taskSid: 'WT1', conversationId: 'WT0' } });

  beforeAll(async () => {
    h = await startHarness();
    workspaceSid = h.simulator.state.defaultWorkspaceSid;
    surveyWorkflowSid = (await ensureSurveyTaskRouter(h.twilio, workspaceSid)).workflowSid;
    version = await h.saveSurvey(csat);
  });

  afterAll(async () => {
    await h?.close();
  });

  beforeEach(() => {
    h.simulator.state.tasks.length = 0;
  });

  it('maps answers as the survey says, links to the original conversation, ends the task, once per session', async () => {
    const handle = handlerWith(false);
    const event = sessionEndedEvent(session(), [['satisfaction', 'scale', 2], ['what-went-wrong', 'free-text', 'Long wait'], ['use-again', 'yes-no', false]]);
    await handle(event);
    await handle(event);
    expect(h.simulator.state.tasks).toHaveLength(1);
    const task = h.simulator.state.tasks[0]!;
    expect(task).toMatchObject({ workflowSid: surveyWorkflowSid, taskChannelUniqueName: 'survey', taskQueueFriendlyName: 'Survey', assignmentStatus: 'canceled', reason: 'survey result recorded for Flex Insights' });
    expect(JSON.parse(task.attributes)).toEqual({
      conversations: { conversation_id: 'WT0', conversation_measure_2: 2, conversation_label_1: 'no', conversation_attribute_3: 'Long wait' },
      survey: { session_id: event.payload.sessionId, survey_id: 'csat-mapped', survey_version: version, status: 'completed' },
    });
    expect(task.attributes).not.toContain(CUSTOMER);
    expect(await h.prisma.linkedTask.findUnique({ where: { sessionId: event.payload.sessionId } })).toMatchObject({ state: 'created', taskSid: task.sid });
  });

  it('a claim left "creating" by a replica killed mid-create: retried while fresh, taken over once stale, one task', async () => {
    const handle = handlerWith(false);
    const event = sessionEndedEvent(session(), [['satisfaction', 'scale', 4]]);
    await h.prisma.linkedTask.create({ data: { sessionId: event.payload.sessionId, state: 'creating' } });
    await expect(handle(event)).rejects.toThrow('is being created by another replica');
    expect(h.simulator.state.tasks).toHaveLength(0);
    await h.prisma.$executeRaw`UPDATE linked_task SET updated_at = now() - interval '31 seconds' WHERE session_id = ${event.payload.sessionId}::uuid`;
    await handle(event);
    await handle(event);
    expect(h.simulator.state.tasks).toHaveLength(1);
    expect(await h.prisma.linkedTask.findUnique({ where: { sessionId: event.payload.sessionId } })).toMatchObject({ state: 'created' });

    // Killed after Twilio created the task but before the row said so: the new owner finds it, creates none.
    const second = sessionEndedEvent(session(), [['satisfaction', 'scale', 5]]);
    await handle(second);
    const [, made] = h.simulator.state.tasks;
    await h.prisma.$executeRaw`UPDATE linked_task SET state = 'creating', task_sid = NULL, updated_at = now() - interval '31 seconds' WHERE session_id = ${second.payload.sessionId}::uuid`;
    made!.assignmentStatus = 'pending'; // killed before ending it, too
    await handle(second);
    expect(h.simulator.state.tasks).toHaveLength(2);
    expect(await h.prisma.linkedTask.findUnique({ where: { sessionId: second.payload.sessionId } })).toMatchObject({ state: 'created', taskSid: made!.sid });
    expect(h.simulator.state.tasks[1]!.assignmentStatus).toBe('canceled');
  });

  it('a replica killed after recording the task but before ending it: the redelivered event ends it, creates none', async () => {
    const handle = handlerWith(false);
    const event = sessionEndedEvent(session(), [['satisfaction', 'scale', 3]]);
    await handle(event);
    const [task] = h.simulator.state.tasks;
    task!.assignmentStatus = 'pending'; // as if the replica died right after the row said 'created'
    await handle(event);
    expect(h.simulator.state.tasks).toHaveLength(1);
    expect(task!.assignmentStatus).toBe('canceled');
  });

  it('a session without answers: no task by default; with SURVEY_TASK_FOR_NO_RESPONSE a "no response" label and never a score', async () => {
    await handlerWith(false)(sessionEndedEvent(session(), [], 'expired'));
    expect(h.simulator.state.tasks).toHaveLength(0);
    await handlerWith(true)(sessionEndedEvent(session(), [], 'expired'));
    expect(h.simulator.state.tasks).toHaveLength(1);
    const { conversations } = JSON.parse(h.simulator.state.tasks[0]!.attributes);
    expect(conversations).toEqual({ conversation_id: 'WT0', conversation_label_2: 'no response' });
  });

  it('a survey without a mapping keeps the default: scores as measures, choices as labels, no free text', async () => {
    const { insights: _dropped, ...plain } = csat;
    const plainVersion = await h.saveSurvey(plain);
    await handlerWith(false)(sessionEndedEvent({ ...session(), surveyVersion: plainVersion }, [['satisfaction', 'scale', 4], ['use-again', 'yes-no', true], ['what-went-wrong', 'free-text', 'call me on +4791234567']]));
    const { conversations } = JSON.parse(h.simulator.state.tasks[0]!.attributes);
    expect(conversations).toEqual({ conversation_id: 'WT0', conversation_measure_1: 4, conversation_label_1: 'yes' });
  });
});
