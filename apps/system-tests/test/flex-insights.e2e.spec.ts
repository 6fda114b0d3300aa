import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN } from '@sms-survey/service-kit';
import { eventually } from '@sms-survey/testing';
import { createTwilioClient, type TwilioClient } from '@sms-survey/twilio';
import { childProcessBaseEnv, startSystem, startTopicReader, waitUntilReady, type RunningSystem } from '../src/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const API_KEY = 'test-api-key-flex-insights';
const SENDER = '+14155550188';
const AGENT_PHONE = '+18885551212';

interface SimTaskView { sid: string; attributes: string; workflowSid: string; taskChannelUniqueName: string; priority: number; timeout: number; assignmentStatus: string; taskQueueFriendlyName: string | null }

/** `npm run provision-flex`'s script against the system's simulator. */
function provisionFlex(simulatorUrl: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/insights-sync/src/cli/provision-flex.ts'], {
      cwd: repoRoot,
      env: { ...childProcessBaseEnv, TWILIO_API_BASE_URL: simulatorUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

const workflowSidIn = (output: string) => /Workflow\s+(WW[0-9a-f]{32})/.exec(output)?.[1];

describe('Flex Insights survey tasks, follow-up tasks, outbound SMS tasks: end to end', () => {
  let system: RunningSystem;
  let twilio: TwilioClient;
  let reader: Awaited<ReturnType<typeof startTopicReader>>;
  let callbackWorkflowSid: string;
  let surveyWorkflowSid: string;
  const provisioning: { code: number | null; output: string }[] = [];

  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${system.gateway.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${API_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const tasks = () => system.simulator.state.tasks as SimTaskView[];
  const tasksOf = (sessionId: string) => tasks().filter((t) => t.attributes.includes(sessionId));
  const smsTo = (customer: string) => system.simulator.state.messages.filter((m) => m.direction === 'outbound-api' && m.to === customer);
  const waitForSms = (customer: string, count: number) =>
    eventually(() => (smsTo(customer).length >= count ? smsTo(customer) : undefined), { what: `${count} SMS to ${customer}`, timeoutMs: 30_000 });
  const reply = (customer: string, body: string) => system.simulator.sendInboundSms({ from: customer, to: SENDER, body, url: `${system.gateway.url}/twilio/messaging/inbound` });
  const topic = (name: string) => system.topicPrefix + name;
  const metric = async (name: string, outcome: string) => {
    const text = await (await fetch(`${system.insightsSync.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`outcome="${outcome}"`));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  /** Sends the survey, answers "yes" then `score`, and waits for the completion SMS. */
  async function runSurvey(customer: string, score: string): Promise<string> {
    const sent = await api('POST', '/v1/surveys/nps-follow-up/send', { identifier: customer, identifierType: 'Phone', channel: 'SMS' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    await waitForSms(customer, 1);
    await reply(customer, 'yes');
    await waitForSms(customer, 2);
    await reply(customer, score);
    const all = await waitForSms(customer, 3);
    expect(all[2]!.body).toBe('Thank you!');
    return sent.body.sessionId as string;
  }

  beforeAll(async () => {
    system = await startSystem({ API_KEYS: API_KEY, SMS_SENDER_NUMBER: SENDER });
    twilio = createTwilioClient({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN, apiBaseUrl: system.simulatorUrl });
    // Provisioning, twice, before insights-sync needs the Survey workflow: it must find the same one.
    provisioning.push(await provisionFlex(system.simulatorUrl));
    provisioning.push(await provisionFlex(system.simulatorUrl));
    surveyWorkflowSid = workflowSidIn(provisioning[0]!.output)!;

    const ws = twilio.taskrouter.v1.workspaces(system.simulator.state.defaultWorkspaceSid);
    const queue = await ws.taskQueues.create({ friendlyName: 'Callbacks', targetWorkers: 'skills HAS "retention"' });
    callbackWorkflowSid = (await ws.workflows.create({ friendlyName: 'Callbacks', configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: queue.sid } } }) })).sid;
    await ws.workers.create({ friendlyName: 'alice', attributes: JSON.stringify({ phone: AGENT_PHONE }) });

    await waitUntilReady(system);
    reader = await startTopicReader(system.env.KAFKA_BROKERS!.split(','), [topic('survey.answers.v1'), topic('survey.sessions.v1')]);
    const survey = {
      id: 'nps-follow-up',
      name: 'NPS with a call back for detractors',
      defaultLanguage: 'en',
      languages: ['en'],
      elements: [
        { id: 'resolved', type: 'yes-no', text: { en: 'Was your problem solved?' } },
        { id: 'recommend', type: 'nps', text: { en: 'How likely are you to recommend us (0-10)?' } },
      ],
      texts: {
        completion: { en: 'Thank you!' },
        unavailable: { en: 'Unavailable.' },
        notFound: { en: 'No survey found.' },
        invalidReply: { en: 'Sorry?' },
        tooManyInvalid: { en: 'We have ended the survey.' },
      },
      insights: { measures: { recommend: 2 }, labels: { resolved: 1 } },
      followUp: {
        when: { elementId: 'recommend', condition: { op: 'lte', value: 6 } },
        workflowSid: callbackWorkflowSid,
        taskChannel: 'voice',
        priority: 5,
        timeout: 600,
        attributes: { skill: 'retention' },
      },
    };
    const saved = await api('PUT', '/v1/surveys/nps-follow-up', survey);
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
  });

  afterAll(async () => {
    await reader?.stop();
    await system?.stop();
  });

  it('provisioning run twice: created once, then nothing, the same sids', () => {
    const [first, second] = provisioning;
    expect(first!.code, first!.output).toBe(0);
    expect(second!.code, second!.output).toBe(0);
    expect(first!.output).toMatch(/created 3: TaskQueue WQ\w+, Workflow WW\w+, TaskChannel TC\w+/);
    expect(second!.output).toContain('nothing to create: already provisioned');
    const sids = (output: string) => ['TaskQueue', 'Workflow', 'TaskChannel'].map((kind) => new RegExp(`${kind}\\s+((WQ|WW|TC)[0-9a-f]{32})`).exec(output)?.[1]);
    expect(sids(first!.output).every(Boolean)).toBe(true);
    expect(sids(second!.output)).toEqual(sids(first!.output));
  });

  it('a detractor (3): one follow-up task as configured, and the linked survey task with the mapped measure; redelivery changes nothing', async () => {
    const customer = '+4791200001';
    const sessionId = await runSurvey(customer, '3');

    const [followUp, linked] = await eventually(() => {
      const mine = tasksOf(sessionId);
      const f = mine.find((t) => t.workflowSid === callbackWorkflowSid);
      const l = mine.find((t) => t.workflowSid === surveyWorkflowSid);
      return f && l ? ([f, l] as const) : undefined;
    }, { what: 'follow-up and survey tasks' });

    expect(followUp).toMatchObject({ taskChannelUniqueName: 'voice', priority: 5, timeout: 600, assignmentStatus: 'pending', taskQueueFriendlyName: 'Callbacks' });
    expect(JSON.parse(followUp.attributes)).toEqual({
      name: 'Survey follow-up',
      skill: 'retention',
      type: 'survey-follow-up',
      callback: { phone_number: customer, reason: '"recommend" answered 3 (follow-up when ≤ 6)' },
      answers: { resolved: true, recommend: 3 },
      survey: { session_id: sessionId, survey_id: 'nps-follow-up', survey_version: 1, element_id: 'recommend', language: 'en' },
    });

    expect(linked).toMatchObject({ taskChannelUniqueName: 'survey', taskQueueFriendlyName: 'Survey', assignmentStatus: 'canceled' });
    const attributes = JSON.parse(linked.attributes);
    expect(attributes.conversations).toEqual({ conversation_id: sessionId, conversation_measure_2: 3, conversation_label_1: 'yes' });
    expect(linked.attributes).not.toContain(customer);
    // insights-sync used the provisioned Survey workflow rather than making its own.
    expect(system.simulator.state.workflows.filter((w) => w.friendlyName === 'Survey')).toHaveLength(1);

    // Redelivery: the answer and session-ended events of this session, published again as they were.
    const again = (name: string) => reader.messages(topic(name)).filter((m) => (m.value as { payload: { sessionId: string } }).payload.sessionId === sessionId);
    const answers = await eventually(() => (again('survey.answers.v1').length === 2 ? again('survey.answers.v1') : undefined), { what: 'answer events' });
    const ended = await eventually(() => again('survey.sessions.v1')[0], { what: 'session-ended event' });
    const duplicatesBefore = [await metric('insights_follow_up_tasks_total', 'duplicate'), await metric('insights_survey_tasks_total', 'duplicate')];
    const kafka = new Kafka({ clientId: 'redeliver', brokers: system.env.KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: topic('survey.answers.v1'), messages: answers.map((m) => ({ key: m.key, value: JSON.stringify(m.value) })) });
    await producer.send({ topic: topic('survey.sessions.v1'), messages: [{ key: ended.key, value: JSON.stringify(ended.value) }] });
    await producer.disconnect();
    await eventually(async () => (await metric('insights_follow_up_tasks_total', 'duplicate')) > duplicatesBefore[0]!, { what: 'redelivered answer handled' });
    await eventually(async () => (await metric('insights_survey_tasks_total', 'duplicate')) > duplicatesBefore[1]!, { what: 'redelivered session handled' });
    expect(tasksOf(sessionId)).toHaveLength(2);
  });

  it('a promoter (9): no follow-up task, only the linked survey task', async () => {
    const customer = '+4791200002';
    const judgedBefore = await metric('insights_follow_up_tasks_total', 'not-triggered');
    const sessionId = await runSurvey(customer, '9');
    const linked = await eventually(() => tasksOf(sessionId).find((t) => t.workflowSid === surveyWorkflowSid), { what: 'survey task' });
    expect(JSON.parse(linked.attributes).conversations).toEqual({ conversation_id: sessionId, conversation_measure_2: 9, conversation_label_1: 'yes' });
    // Both answers were judged (neither asks for a follow-up); nothing else follows.
    await eventually(async () => (await metric('insights_follow_up_tasks_total', 'not-triggered')) >= judgedBefore + 2, { what: 'both answers judged' });
    expect(tasksOf(sessionId)).toHaveLength(1);
  });

  it('outbound SMS task: an interaction whose task goes to the agent with that phone, auto-answered; an unknown phone is named', async () => {
    const created = await api('POST', '/v1/flex/outbound-sms-tasks', { fromNumber: AGENT_PHONE, toName: 'Kari Nordmann', toNumber: '+4791200003' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ interactionSid: expect.stringMatching(/^KD/), taskSid: expect.stringMatching(/^WT/), conversationSid: expect.stringMatching(/^CH/) });
    const task = tasks().find((t) => t.sid === created.body.taskSid)!;
    expect(task.taskChannelUniqueName).toBe('sms');
    expect(JSON.parse(task.attributes)).toMatchObject({ targetWorkerPhone: AGENT_PHONE, autoAnswer: true, name: 'Kari Nordmann', conversationSid: created.body.conversationSid });
    expect(system.simulator.state.interactions.map((i) => i.sid)).toContain(created.body.interactionSid);

    const unknown = await api('POST', '/v1/flex/outbound-sms-tasks', { fromNumber: '+18885550000', toName: 'Kari', toNumber: '+4791200003' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toContain('fromNumber +18885550000');
  });
});
