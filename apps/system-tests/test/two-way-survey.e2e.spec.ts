import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SurveySessionEnded, Topics, createMessage } from '@sms-survey/contracts';
import { createPrismaClient, type PrismaClient } from '@sms-survey/db';
import { eventually } from '@sms-survey/testing';
import { startSystem, startTopicReader, waitUntilReady, type RunningSystem } from '../src/index.js';
import { produce } from './messaging-helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const csat = JSON.parse(readFileSync(join(here, '../../../examples/surveys/csat-en-no.json'), 'utf8'));
const POOL = ['+4759440011', '+4759440012'];
const DEFAULT_SENDER = '+14155550100';
const API_KEY = 'test-api-key';

interface SmsAtTwilio { sid: string; from: string | null; to: string; body: string; dateCreated: string | Date }

describe('two-way SMS survey (seeds 001/002), end to end through the real services', () => {
  let system: RunningSystem;
  let prisma: PrismaClient;
  let reader: Awaited<ReturnType<typeof startTopicReader>>;

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${system.gateway.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${API_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const sendSurvey = async (identifier: string, extra: Record<string, unknown> = {}) => {
    const res = await api('POST', `/v1/surveys/${csat.id}/send`, { identifier, identifierType: 'Phone', channel: 'SMS', ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body.sessionId as string;
  };
  const smsTo = (customer: string): SmsAtTwilio[] =>
    system.simulator.state.messages.filter((m) => m.direction === 'outbound-api' && m.to === customer) as SmsAtTwilio[];
  const waitForSms = (customer: string, count: number) =>
    eventually(() => (smsTo(customer).length >= count ? smsTo(customer) : undefined), { what: `${count} SMS to ${customer}`, timeoutMs: 30_000 });
  const reply = (customer: string, to: string, body: string) =>
    system.simulator.sendInboundSms({ from: customer, to, body, url: `${system.gateway.url}/twilio/messaging/inbound` });
  const sessionStatus = async (id: string) => (await prisma.surveySession.findUnique({ where: { id } }))?.status;
  const topic = (name: string) => system.topicPrefix + name;

  beforeAll(async () => {
    system = await startSystem({
      API_KEYS: API_KEY,
      SMS_SENDER_NUMBER: DEFAULT_SENDER,
      SMS_SUBNUMBER_POOL: POOL.join(','),
      EXPIRY_CHECK_INTERVAL_MS: '200',
    });
    prisma = createPrismaClient({ databaseUrl: system.database.url });
    await waitUntilReady(system);
    reader = await startTopicReader(system.env.KAFKA_BROKERS!.split(','), [topic('survey.answers.v1'), topic('survey.sessions.v1')]);
    expect((await api('PUT', `/v1/surveys/${csat.id}`, csat)).status).toBe(201);
  });

  afterAll(async () => {
    await reader?.stop();
    await prisma?.$disconnect();
    await system?.stop();
  });

  it('runs the survey: text element and question 2 s apart with content first, validation, rules, completion, results for BI, linked task', async () => {
    const customer = '+4791000001';
    const sessionId = await sendSurvey(customer, {
      language: 'no',
      content: 'Hei fra Kundeservice.',
      clientReference: 'CA-1',
      userSessionVariables: [{ key: 'agentId', value: 'WK42' }, { key: 'queueKey', value: 'support' }],
    });

    // Seed steps 2–4: the intro (text element) then the first question, one SMS each, two seconds apart.
    const [intro, question] = await waitForSms(customer, 2);
    expect(intro!.body.startsWith('Hei fra Kundeservice.')).toBe(true);
    expect(intro!.body).toContain('Takk for at du ringte');
    expect(question!.body).toContain('Hvor fornøyd var du');
    expect(question!.body).toMatch(/1.*5/);
    const gap = new Date(question!.dateCreated).getTime() - new Date(intro!.dateCreated).getTime();
    expect(gap).toBeGreaterThanOrEqual(1900);
    expect(POOL).toContain(intro!.from);
    const sender = intro!.from!;
    expect((await prisma.surveySession.findUnique({ where: { id: sessionId } }))?.currentElementId).toBe('satisfaction');

    // Step 4: an invalid reply gets the question again with the error text in front.
    await reply(customer, sender, 'kjempebra');
    const [, , again] = await waitForSms(customer, 3);
    expect(again!.body).toContain('Beklager, vi forsto ikke');
    expect(again!.body).toContain('Hvor fornøyd var du');

    // Steps 5–8: a low score follows the rule to the free-text question, then the survey completes.
    await reply(customer, sender, ' 2 ');
    const afterScore = await waitForSms(customer, 4);
    expect(afterScore[3]!.body).toContain('Hva gikk galt');
    await reply(customer, sender, 'Lang ventetid');
    const afterText = await waitForSms(customer, 5);
    expect(afterText[4]!.body).toBe('Takk for tilbakemeldingen!');
    await eventually(async () => (await sessionStatus(sessionId)) === 'completed', { what: 'completed' });

    // A reply to a completed session gets "Survey Unavailable".
    await reply(customer, sender, '5');
    const afterDone = await waitForSms(customer, 6);
    expect(afterDone[5]!.body).toContain('ikke lenger tilgjengelig');

    // Results for BI: one event per answer, one when the session ends, with everything a report needs.
    const answers = await eventually(() => {
      const found = reader.messages(topic('survey.answers.v1')).filter((m) => (m.value as { payload: { sessionId: string } }).payload.sessionId === sessionId);
      return found.length >= 2 ? found : undefined;
    }, { what: 'answer events' });
    expect(answers.map((a) => (a.value as { payload: { answer: { elementId: string; value: unknown } } }).payload.answer)).toEqual([
      expect.objectContaining({ elementId: 'satisfaction', elementType: 'scale', rawReply: ' 2 ', value: 2 }),
      expect.objectContaining({ elementId: 'what-went-wrong', elementType: 'free-text', value: 'Lang ventetid' }),
    ]);
    const ended = await eventually(() => reader.messages(topic('survey.sessions.v1')).find((m) => (m.value as { payload: { sessionId: string } }).payload.sessionId === sessionId), { what: 'session-ended event' });
    expect(ended.value).toMatchObject({
      type: 'survey.session.ended',
      payload: {
        surveyId: csat.id,
        surveyVersion: 1,
        status: 'completed',
        clientReference: 'CA-1',
        language: 'no',
        userSessionVariables: [{ key: 'agentId', value: 'WK42' }, { key: 'queueKey', value: 'support' }],
      },
    });
    expect((ended.value as { payload: { answers: unknown[] } }).payload.answers).toHaveLength(2);

    // The linked Flex Insights task: the score as the measure the survey maps it to (2, as in seed 000), no phone number.
    const task = await eventually(() => system.simulator.state.tasks.find((t) => t.attributes.includes(sessionId)), { what: 'survey task' });
    expect(JSON.parse(task.attributes).conversations.conversation_measure_2).toBe(2);
    expect(task.attributes).not.toContain(customer);
  });

  it('language falls back to the default when the survey lacks it; yes-no and a rule that ends the survey', async () => {
    const customer = '+4791000002';
    await sendSurvey(customer, { language: 'sv' });
    const [intro, question] = await waitForSms(customer, 2);
    expect(intro!.body).toContain('Thank you for calling');
    await reply(customer, question!.from!, '5');
    const next = await waitForSms(customer, 3);
    expect(next[2]!.body).toContain('Would you use us again?');
    await reply(customer, question!.from!, 'yes');
    const done = await waitForSms(customer, 4);
    expect(done[3]!.body).toBe('Thank you for your feedback!');
  });

  it('subnumbering: two concurrent surveys to one Norwegian customer use two senders, and each reply reaches its own session', async () => {
    const customer = '+4791000003';
    const first = await sendSurvey(customer);
    const second = await sendSurvey(customer);
    const sms = await waitForSms(customer, 4);
    const senders = new Set(sms.map((m) => m.from));
    expect(senders.size).toBe(2);
    const firstSender = (await prisma.surveySession.findUnique({ where: { id: first } }))!.senderNumber;
    await reply(customer, firstSender, '4');
    await eventually(async () => (await prisma.surveyAnswer.count({ where: { sessionId: first } })) === 1, { what: 'answer on the first session' });
    expect(await prisma.surveyAnswer.count({ where: { sessionId: second } })).toBe(0);
    expect(await sessionStatus(first)).toBe('active');
    expect(await sessionStatus(second)).toBe('active');
  });

  it('without subnumbering, a new survey supersedes the active one', async () => {
    const customer = '+14155550123';
    const first = await sendSurvey(customer);
    await waitForSms(customer, 2);
    const second = await sendSurvey(customer);
    await eventually(async () => (await sessionStatus(first)) === 'superseded', { what: 'superseded' });
    expect(await sessionStatus(second)).toBe('active');
    const sms = await waitForSms(customer, 4);
    expect(sms.every((m) => m.from === DEFAULT_SENDER)).toBe(true);
    await reply(customer, DEFAULT_SENDER, '3');
    await eventually(async () => (await prisma.surveyAnswer.count({ where: { sessionId: second } })) === 1, { what: 'reply applied to the new session' });
  });

  it('expiry: the durable timer ends the session as expired, no score is written, and a late reply gets "not found"', async () => {
    const customer = '+4791000004';
    const sessionId = await sendSurvey(customer, { expiryTime: new Date(Date.now() + 2500).toISOString() });
    const sms = await waitForSms(customer, 2);
    await eventually(async () => (await sessionStatus(sessionId)) === 'expired', { what: 'expired', timeoutMs: 15_000 });
    const ended = await eventually(() => reader.messages(topic('survey.sessions.v1')).find((m) => (m.value as { payload: { sessionId: string } }).payload.sessionId === sessionId), { what: 'ended event' });
    expect(ended.value).toMatchObject({ payload: { status: 'expired', answers: [] } });
    await reply(customer, sms[0]!.from!, '5');
    const late = await waitForSms(customer, 3);
    expect(late[2]!.body).toContain('could not find an active survey');
    expect(await prisma.surveyAnswer.count({ where: { sessionId } })).toBe(0);
    // No answers → no score: insights-sync makes no task by default. The marker: another session's ended event,
    // with an answer, on the same key (same partition); once its task exists, this session's event was handled.
    const laterSessionId = randomUUID();
    const { payload } = ended.value as SurveySessionEnded;
    const answer = { elementId: 'satisfaction', elementType: 'scale', rawReply: '4', value: 4, answeredAt: new Date().toISOString() };
    const later = createMessage(SurveySessionEnded, { type: 'survey.session.ended', schemaVersion: 1, payload: { ...payload, sessionId: laterSessionId, status: 'completed', answers: [answer] } });
    await produce(system, Topics.surveySessions.name, [{ key: sessionId, value: later }]);
    await eventually(() => system.simulator.state.tasks.find((t) => t.attributes.includes(laterSessionId)), { what: "the later session's task" });
    expect(system.simulator.state.tasks.find((t) => t.attributes.includes(sessionId))).toBeUndefined();
  });

  it('too many invalid replies end the session politely as abandoned', async () => {
    const customer = '+4791000005';
    const sessionId = await sendSurvey(customer);
    const [, question] = await waitForSms(customer, 2);
    for (const [i, text] of ['x', 'y', 'z'].entries()) {
      await reply(customer, question!.from!, text);
      await waitForSms(customer, 3 + i);
    }
    const all = await waitForSms(customer, 5);
    expect(all[4]!.body).toContain('we have ended the survey');
    await eventually(async () => (await sessionStatus(sessionId)) === 'abandoned', { what: 'abandoned' });
  });
});
