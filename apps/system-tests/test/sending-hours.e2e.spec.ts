import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPrismaClient, type PrismaClient } from '@sms-survey/db';
import { silentLogger, eventually } from '@sms-survey/testing';
import { loadOrchestratorConfig, startOrchestrator } from '@sms-survey/survey-orchestrator';
import type { WorkerHandle } from '@sms-survey/service-kit';
import { startSystem, startTopicReader, waitUntilReady, type RunningSystem } from '../src/index.js';
import { API_KEY, csat, publicApi, smsTo } from './messaging-helpers.js';

// Issue 15, "never texts a customer outside their quiet hours, reminds once": sending hours in the customer's
// local time (Oslo, for +47), a first SMS that waits durably for them to open (across an orchestrator
// restart), and the survey's one reminder. The clock is controlled the way the durable timers read it: the
// window is placed a few seconds ahead of now in Oslo, and the reminder's deadline is moved to now.

vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

const SENDER = '+4759440000';

/** "HH:MM:SS" in Oslo, `offsetMs` from now. */
function osloClock(offsetMs: number): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Oslo', hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(Date.now() + offsetMs));
}

describe('sending hours and the reminder, end to end', () => {
  let system: RunningSystem;
  let prisma: PrismaClient;
  let api: ReturnType<typeof publicApi>;
  let reader: Awaited<ReturnType<typeof startTopicReader>>;
  let replacement: WorkerHandle | undefined;

  beforeAll(async () => {
    system = await startSystem({ API_KEYS: API_KEY, SMS_SENDER_NUMBER: SENDER, REMINDER_CHECK_INTERVAL_MS: '200', EXPIRY_CHECK_INTERVAL_MS: '200' });
    prisma = createPrismaClient({ databaseUrl: system.database.url });
    api = publicApi(system);
    await waitUntilReady(system);
    reader = await startTopicReader(system.env.KAFKA_BROKERS!.split(','), [system.topicPrefix + 'survey.sessions.v1']);
  });

  afterAll(async () => {
    await reader?.stop();
    await replacement?.stop();
    await prisma?.$disconnect();
    await system?.stop();
  });

  const send = async (surveyId: string, customer: string) => {
    const res = await api('POST', `/v1/surveys/${surveyId}/send`, { identifier: customer, identifierType: 'Phone', channel: 'SMS', language: 'en', expiryTime: new Date(Date.now() + 3600_000).toISOString() });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body.sessionId as string;
  };

  it('outside the sending hours the first SMS waits, durably across a restart, until they open in the customer\'s zone; expiry moves with it', async () => {
    const opensInMs = 8000;
    const start = osloClock(opensInMs);
    if (start < '00:00:10' || start > '23:40:00') return; // the window must not wrap past midnight in Oslo
    const survey = { ...csat, id: 'csat-hours', settings: { sendingHours: { start, end: osloClock(opensInMs + 15 * 60_000) } } };
    expect((await api('PUT', `/v1/surveys/${survey.id}`, survey)).status).toBe(201);
    const customer = '+4791700001';
    const sentAt = Date.now();
    const sessionId = await send(survey.id, customer);

    // Held in the outbox until the window opens, the session's expiry moved by the wait.
    const session = await eventually(() => prisma.surveySession.findUnique({ where: { id: sessionId } }), { what: 'the session' });
    expect(session.expiresAt.getTime()).toBeGreaterThan(sentAt + 3600_000 + opensInMs - 2000);
    expect(smsTo(system, customer)).toHaveLength(0);

    // The orchestrator restarts while the SMS waits: the wait is in the table, the new one sends it on time.
    await system.orchestrator.stop();
    replacement = await startOrchestrator(loadOrchestratorConfig({ ...system.env, REMINDER_CHECK_INTERVAL_MS: '200' }), silentLogger(), (e) => {
      throw e;
    });
    const [first, second] = await eventually(() => (smsTo(system, customer).length >= 2 ? smsTo(system, customer) : undefined), { what: 'the first SMS once the window opened', timeoutMs: 40_000 });
    expect(new Date(first!.dateCreated).getTime()).toBeGreaterThanOrEqual(sentAt + opensInMs - 1500);
    // The rest of the opening still two seconds apart.
    expect(new Date(second!.dateCreated).getTime() - new Date(first!.dateCreated).getTime()).toBeGreaterThanOrEqual(1900);
  });

  it('a survey with a reminder nudges once, re-asking the question, and the session-ended event says when', async () => {
    const survey = { ...csat, id: 'csat-reminder', settings: { reminder: { afterMinutes: 30, text: { en: 'A gentle reminder:', no: 'En påminnelse:' } } } };
    expect((await api('PUT', `/v1/surveys/${survey.id}`, survey)).status).toBe(201);
    const customer = '+4791700002';
    const sessionId = await send(survey.id, customer);
    const opening = await eventually(() => (smsTo(system, customer).length >= 2 ? smsTo(system, customer) : undefined), { what: 'the opening SMS' });
    const due = await prisma.surveySession.findUniqueOrThrow({ where: { id: sessionId } });
    expect(due.remindAt!.getTime() - Date.now()).toBeGreaterThan(29 * 60_000);

    // Half an hour later (the deadline moved to now): one reminder, the question asked again after its text.
    await prisma.surveySession.update({ where: { id: sessionId }, data: { remindAt: new Date() } });
    const [, , reminder] = await eventually(() => (smsTo(system, customer).length >= 3 ? smsTo(system, customer) : undefined), { what: 'the reminder' });
    expect(reminder!.body).toBe(`A gentle reminder:\n${opening[1]!.body}`);
    const after = await prisma.surveySession.findUniqueOrThrow({ where: { id: sessionId } });
    expect(after.remindAt).toBeNull();
    expect(after.remindedAt).not.toBeNull();

    // Answered: no second reminder; the session runs to its end, and its event says when the reminder went.
    await system.simulator.sendInboundSms({ from: customer, to: opening[0]!.from!, body: '5', url: `${system.gateway.url}/twilio/messaging/inbound` });
    await eventually(() => (smsTo(system, customer).length >= 4 ? true : undefined), { what: 'the next question' });
    await system.simulator.sendInboundSms({ from: customer, to: opening[0]!.from!, body: 'yes', url: `${system.gateway.url}/twilio/messaging/inbound` });
    const ended = await eventually(() => reader.messages(system.topicPrefix + 'survey.sessions.v1').find((m) => (m.value as { payload: { sessionId: string } }).payload.sessionId === sessionId), { what: 'the session-ended event' });
    expect((ended.value as { payload: { status: string; remindedAt?: string } }).payload).toMatchObject({ status: 'completed', remindedAt: after.remindedAt!.toISOString() });
    expect(smsTo(system, customer).filter((m) => m.body.startsWith('A gentle reminder'))).toHaveLength(1);
  });

  it('a customer who answers in time, or opts out, gets no reminder', async () => {
    const customer = '+4791700003';
    const sessionId = await send('csat-reminder', customer);
    const opening = await eventually(() => (smsTo(system, customer).length >= 2 ? smsTo(system, customer) : undefined), { what: 'the opening SMS' });
    await system.simulator.sendInboundSms({ from: customer, to: opening[0]!.from!, body: 'STOP', url: `${system.gateway.url}/twilio/messaging/inbound` });
    await eventually(async () => (await prisma.surveySession.findUniqueOrThrow({ where: { id: sessionId } })).status === 'opted-out', { what: 'opted out' });
    expect((await prisma.surveySession.findUniqueOrThrow({ where: { id: sessionId } })).remindAt).toBeNull();
  });
});
