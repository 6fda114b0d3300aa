import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type PrismaClient } from '@sms-survey/db';
import { eventually } from '@sms-survey/testing';
import { startSystem, waitUntilReady, type RunningSystem } from '../src/index.js';

// Issue 5, "Trigger a survey when an agent wraps up": the simulator plays TaskRouter posting signed workspace
// events to the gateway's Event Callback URL (and the seed's plugin calling /v1/flex/survey-transfer); the
// orchestrator applies the policies passed in FLEX_SURVEY_POLICIES; insights-sync links the survey task.

const here = dirname(fileURLToPath(import.meta.url));
const csat = JSON.parse(readFileSync(join(here, '../../../examples/surveys/csat-en-no.json'), 'utf8'));
const API_KEY = 'test-api-key';
const DEFAULT_SENDER = '+14155550100';
const SURVEY_SENDER = '+4759440100';
const PLUGIN_SENDER = '+4759440200';
const FATIGUE_DAYS = 30;

const POLICIES = [
  { name: 'sales: off', match: { queue: 'Sales' }, surveyId: csat.id, enabled: false },
  {
    name: 'support sms',
    match: { queue: 'Support', channel: 'sms' },
    surveyId: csat.id,
    trigger: 'wrapup',
    languageAttribute: 'language',
    fatigueDays: FATIGUE_DAYS,
    senderNumber: SURVEY_SENDER,
    expiryHours: 4,
  },
];

const sid = (prefix: string) => prefix + randomBytes(16).toString('hex');
const WORKER = sid('WK');

interface SmsAtTwilio { from: string | null; to: string; body: string }

describe('Flex wrap-up → survey (issue 5), end to end through the real services', () => {
  let system: RunningSystem;
  let prisma: PrismaClient;

  const smsTo = (customer: string): SmsAtTwilio[] =>
    system.simulator.state.messages.filter((m) => m.direction === 'outbound-api' && m.to === customer) as SmsAtTwilio[];
  const waitForSms = (customer: string, count: number) =>
    eventually(() => (smsTo(customer).length >= count ? smsTo(customer) : undefined), { what: `${count} SMS to ${customer}`, timeoutMs: 30_000 });
  const reply = (customer: string, to: string, body: string) =>
    system.simulator.sendInboundSms({ from: customer, to, body, url: `${system.gateway.url}/twilio/messaging/inbound` });
  const sessionsOf = (customer: string) => prisma.surveySession.findMany({ where: { customer }, orderBy: { startedAt: 'asc' } });

  /** TaskRouter posting a workspace event for a Flex Conversations SMS task, through the simulator (signed). */
  async function taskEvent(eventType: string, task: { taskSid: string; customer: string; queue?: string; attributes?: Record<string, unknown> }) {
    const res = await fetch(`${system.simulatorUrl}/__sim/taskrouter/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        url: `${system.gateway.url}/twilio/taskrouter/events`,
        eventType,
        taskSid: task.taskSid,
        // What Flex's Send to Flex puts on an SMS conversation's task (seed 004).
        taskAttributes: { from: task.customer, customerAddress: task.customer, channelType: 'sms', name: task.customer, ...task.attributes },
        taskQueueSid: 'WQ' + '1'.repeat(32),
        taskQueueName: task.queue ?? 'Support',
        workflowSid: 'WW' + '2'.repeat(32),
        workflowName: 'Assign to Anyone',
        taskChannelUniqueName: 'sms',
        workerSid: WORKER,
        workerName: 'alice',
      }),
    });
    const result = (await res.json()) as { status: number; body: string };
    expect(res.status, JSON.stringify(result)).toBe(200);
    expect(result.status, result.body).toBe(204); // what the gateway answered TaskRouter
  }

  /** How many flex task events of this type the orchestrator has handled with this outcome (its /metrics). */
  async function flexOutcomes(eventType: string, outcome: string): Promise<number> {
    const text = await (await fetch(`${system.orchestrator.url}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('orchestrator_flex_task_events_total{') && l.includes(`event_type="${eventType}"`) && l.includes(`outcome="${outcome}"`));
    return line ? Number(line.split(' ').pop()) : 0;
  }
  const waitForOutcome = (eventType: string, outcome: string, count: number) =>
    eventually(async () => (await flexOutcomes(eventType, outcome)) >= count, { what: `${count} × ${eventType} → ${outcome}`, timeoutMs: 30_000 });

  beforeAll(async () => {
    system = await startSystem({
      API_KEYS: API_KEY,
      SMS_SENDER_NUMBER: DEFAULT_SENDER,
      FLEX_SURVEY_POLICIES: JSON.stringify(POLICIES),
    });
    prisma = createPrismaClient({ databaseUrl: system.database.url });
    await waitUntilReady(system);
    const put = await fetch(`${system.gateway.url}/v1/surveys/${csat.id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(csat),
    });
    expect(put.status).toBe(201);
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await system?.stop();
  });

  it('a transferred SMS task wraps up: the customer gets the survey in their language, answers, and insights-sync links the task to the original conversation', async () => {
    const customer = '+4792000001';
    const taskSid = sid('WT');
    const originalConversation = sid('WT'); // the first task of a transferred conversation
    await taskEvent('task.wrapup', { taskSid, customer, attributes: { language: 'no', conversations: { conversation_id: originalConversation } } });

    // The survey, in Norwegian (the task's `language` attribute), from the policy's sender number.
    const [intro, question] = await waitForSms(customer, 2);
    expect(intro!.body).toContain('Takk for at du ringte');
    expect(question!.body).toContain('Hvor fornøyd var du');
    expect(intro!.from).toBe(SURVEY_SENDER);

    const [session] = await sessionsOf(customer);
    expect(session).toMatchObject({
      surveyId: csat.id,
      senderNumber: SURVEY_SENDER,
      language: 'no',
      status: 'active',
      origin: { kind: 'flex-task', taskSid, conversationId: originalConversation },
      userSessionVariables: [
        { key: 'agentId', value: WORKER },
        { key: 'queueKey', value: 'Support' },
        { key: 'consumerSession', value: taskSid },
        { key: 'consumerChannel', value: 'sms' },
        { key: 'consumerPhone', value: customer },
      ],
    });
    // The policy's 4 h to answer.
    expect(Math.abs(session!.expiresAt.getTime() - session!.startedAt.getTime() - 4 * 3600_000)).toBeLessThan(60_000);

    // TaskRouter retries the wrap-up, then the task completes: still one survey.
    await taskEvent('task.wrapup', { taskSid, customer, attributes: { language: 'no', conversations: { conversation_id: originalConversation } } });
    await taskEvent('task.completed', { taskSid, customer, attributes: { language: 'no', conversations: { conversation_id: originalConversation } } });
    await waitForOutcome('task.wrapup', 'duplicate-event', 1);
    await waitForOutcome('task.completed', 'already-surveyed', 1);
    expect(await sessionsOf(customer)).toHaveLength(1);
    expect(await prisma.flexTaskSurvey.findMany({ where: { taskSid } })).toEqual([expect.objectContaining({ taskSid, sessionId: session!.id })]);

    // The customer answers; the session completes.
    await reply(customer, SURVEY_SENDER, '5');
    expect((await waitForSms(customer, 3))[2]!.body).toContain('Vil du bruke oss igjen?');
    await reply(customer, SURVEY_SENDER, 'ja');
    await waitForSms(customer, 4);
    await eventually(async () => (await prisma.surveySession.findUnique({ where: { id: session!.id } }))?.status === 'completed', { what: 'completed' });
    expect(smsTo(customer)).toHaveLength(4);

    // The linked Flex Insights task: linked to the original conversation, the score as a measure, no phone number.
    const task = await eventually(() => system.simulator.state.tasks.find((t) => t.attributes.includes(session!.id)), { what: 'linked survey task', timeoutMs: 30_000 });
    const attributes = JSON.parse(task.attributes) as { conversations: Record<string, unknown> };
    expect(attributes.conversations.conversation_id).toBe(originalConversation);
    expect(Object.values(attributes.conversations)).toContain(5);
    expect(task.attributes).not.toContain(customer.slice(1));
  });

  it('a task without a conversation id is linked by its own task sid', async () => {
    const customer = '+4792000002';
    const taskSid = sid('WT');
    await taskEvent('task.wrapup', { taskSid, customer });
    const [intro] = await waitForSms(customer, 2);
    expect(intro!.body).toContain('Thank you for calling'); // no language attribute: the survey's default
    const [session] = await sessionsOf(customer);
    expect(session!.origin).toEqual({ kind: 'flex-task', taskSid });
    await reply(customer, SURVEY_SENDER, '4');
    await waitForSms(customer, 3);
    await reply(customer, SURVEY_SENDER, 'yes');
    const task = await eventually(() => system.simulator.state.tasks.find((t) => t.attributes.includes(session!.id)), { what: 'linked survey task', timeoutMs: 30_000 });
    expect(JSON.parse(task.attributes).conversations.conversation_id).toBe(taskSid);
  });

  it(`fatigue: a second task for the same customer within ${FATIGUE_DAYS} days gets no survey`, async () => {
    const customer = '+4792000003';
    await taskEvent('task.wrapup', { taskSid: sid('WT'), customer });
    await waitForSms(customer, 2);
    const before = await flexOutcomes('task.wrapup', 'fatigue');
    await taskEvent('task.wrapup', { taskSid: sid('WT'), customer });
    await waitForOutcome('task.wrapup', 'fatigue', before + 1);
    expect(await sessionsOf(customer)).toHaveLength(1);
    expect(smsTo(customer)).toHaveLength(2);
  });

  it('no survey for a queue no policy matches, a disabled policy, a chat visitor without a phone number, or a canceled task', async () => {
    const other = '+4792000004';
    const sales = '+4792000005';
    const canceled = '+4792000006';
    const counts = {
      noPolicy: await flexOutcomes('task.wrapup', 'no-matching-policy'),
      disabled: await flexOutcomes('task.wrapup', 'policy-disabled'),
      notPhone: await flexOutcomes('task.wrapup', 'customer-address-not-e164'),
      canceled: await flexOutcomes('task.canceled', 'task-canceled'),
    };
    await taskEvent('task.wrapup', { taskSid: sid('WT'), customer: other, queue: 'Billing' });
    await taskEvent('task.wrapup', { taskSid: sid('WT'), customer: sales, queue: 'Sales' });
    await taskEvent('task.wrapup', { taskSid: sid('WT'), customer: 'Jane Visitor' });
    await taskEvent('task.canceled', { taskSid: sid('WT'), customer: canceled });
    await waitForOutcome('task.wrapup', 'no-matching-policy', counts.noPolicy + 1);
    await waitForOutcome('task.wrapup', 'policy-disabled', counts.disabled + 1);
    await waitForOutcome('task.wrapup', 'customer-address-not-e164', counts.notPhone + 1);
    await waitForOutcome('task.canceled', 'task-canceled', counts.canceled + 1);
    for (const customer of [other, sales, canceled]) {
      expect(await sessionsOf(customer)).toEqual([]);
      expect(smsTo(customer)).toEqual([]);
    }
  });

  it("the seed plugin's transfer does the same: the survey from the plugin's sender number, once per task, also when TaskRouter's wrap-up follows", async () => {
    const customer = '+4792000007';
    const taskSid = sid('WT');
    const transfer = () =>
      fetch(`${system.gateway.url}/v1/flex/survey-transfer`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ taskSid, customerAddress: customer, surveySmsPhoneNumber: PLUGIN_SENDER, taskQueueName: 'Support', channelType: 'sms', workerName: 'alice' }),
      });
    const res = await transfer();
    expect(res.status).toBe(202);
    const [intro] = await waitForSms(customer, 2);
    expect(intro!.from).toBe(PLUGIN_SENDER);
    const [session] = await sessionsOf(customer);
    expect(session!.origin).toEqual({ kind: 'flex-task', taskSid });
    expect(session!.userSessionVariables).toContainEqual({ key: 'agentId', value: 'alice' });

    const before = await flexOutcomes('task.wrapup', 'already-surveyed');
    expect((await transfer()).status).toBe(202); // the plugin retrying
    await taskEvent('task.wrapup', { taskSid, customer }); // and the workspace's event callback as well
    await waitForOutcome('plugin.transfer', 'duplicate-event', 1);
    await waitForOutcome('task.wrapup', 'already-surveyed', before + 1);
    expect(await sessionsOf(customer)).toHaveLength(1);
    expect(smsTo(customer)).toHaveLength(2);
  });
});
