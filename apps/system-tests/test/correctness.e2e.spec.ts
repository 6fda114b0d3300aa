import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type PrismaClient } from '@sms-survey/db';
import { loadDispatcherConfig, startDispatcher } from '@sms-survey/sms-dispatcher';
import { loadOrchestratorConfig, startOrchestrator } from '@sms-survey/survey-orchestrator';
import { eventually, silentLogger } from '@sms-survey/testing';
import { startSystem, waitUntilReady, type RunningSystem } from '../src/index.js';
import { API_KEY, csat, publicApi } from './messaging-helpers.js';

// Issue "two-way SMS survey", correctness under real conditions: replies arriving together are handled in
// order and once each; a restart of a service mid-survey loses nothing and repeats nothing.
describe('survey correctness under concurrency and restarts', () => {
  let system: RunningSystem;
  let prisma: PrismaClient;
  let api: ReturnType<typeof publicApi>;
  const SENDER = '+4759440000';

  const smsTo = (customer: string) => system.simulator.state.messages.filter((m) => m.direction === 'outbound-api' && m.to === customer);
  const waitForSms = (customer: string, count: number) =>
    eventually(() => (smsTo(customer).length >= count ? smsTo(customer) : undefined), { what: `${count} SMS to ${customer}`, timeoutMs: 30_000 });
  const reply = (customer: string, body: string) =>
    system.simulator.sendInboundSms({ from: customer, to: SENDER, body, url: `${system.gateway.url}/twilio/messaging/inbound` });
  const startSurvey = async (customer: string) => {
    const res = await api('POST', `/v1/surveys/${csat.id}/send`, { identifier: customer, identifierType: 'Phone', channel: 'SMS', language: 'en' });
    expect(res.status).toBe(202);
    await waitForSms(customer, 2);
    return res.body.sessionId as string;
  };
  const answers = (sessionId: string) => prisma.surveyAnswer.findMany({ where: { sessionId }, orderBy: { id: 'asc' } });

  beforeAll(async () => {
    system = await startSystem({ API_KEYS: API_KEY, SMS_SENDER_NUMBER: SENDER });
    prisma = createPrismaClient({ databaseUrl: system.database.url });
    api = publicApi(system);
    await waitUntilReady(system);
    expect((await api('PUT', `/v1/surveys/${csat.id}`, csat)).status).toBe(201);
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await system?.stop();
  });

  it('two replies arriving together are applied in order, each once', async () => {
    const customer = '+4791200001';
    const sessionId = await startSurvey(customer);
    // The second reply is sent the moment the first is acknowledged, long before its answer SMS goes out.
    const [first, second] = [await reply(customer, '4'), await reply(customer, 'yes')];
    expect([first.status, second.status]).toEqual([200, 200]);
    await eventually(async () => (await prisma.surveySession.findUnique({ where: { id: sessionId } }))?.status === 'completed', { what: 'completed' });
    expect((await answers(sessionId)).map((a) => [a.elementId, a.value])).toEqual([
      ['satisfaction', 4],
      ['use-again', true],
    ]);
    const sms = await waitForSms(customer, 4);
    expect(sms.map((m) => m.body)).toEqual([expect.any(String), expect.any(String), expect.stringContaining('Would you use us again?'), 'Thank you for your feedback!']);
  });

  it('a reply that arrives while the orchestrator is down is applied after it restarts; nothing is lost or repeated', async () => {
    const customer = '+4791200002';
    const sessionId = await startSurvey(customer);
    await system.orchestrator.stop();
    const accepted = await reply(customer, '5'); // the gateway takes it into Kafka meanwhile
    expect(accepted.status).toBe(200);
    system.orchestrator = await startOrchestrator(loadOrchestratorConfig(system.env), silentLogger());
    const sms = await waitForSms(customer, 3);
    expect(sms[2]!.body).toContain('Would you use us again?');
    expect(await answers(sessionId)).toHaveLength(1);
    // A later reply of the same customer (same partition) is applied and answered only after any repeat of the
    // first: once its SMS is out, a repeated question would be too.
    await reply(customer, 'yes');
    await waitForSms(customer, 4);
    expect(smsTo(customer).map((m) => m.body)).toEqual([expect.any(String), expect.any(String), expect.stringContaining('Would you use us again?'), 'Thank you for your feedback!']);
    expect(await answers(sessionId)).toHaveLength(2);
  });

  it('commands waiting while the dispatcher is down are sent once after it restarts', async () => {
    const customer = '+4791200003';
    const sessionId = await startSurvey(customer);
    await system.dispatcher.stop();
    await reply(customer, '1');
    // The next question is decided and queued in Kafka, but nobody sends it yet.
    await eventually(async () => (await answers(sessionId)).length === 1, { what: 'answer recorded' });
    expect(smsTo(customer)).toHaveLength(2);
    system.dispatcher = await startDispatcher(loadDispatcherConfig(system.env), silentLogger());
    const sms = await waitForSms(customer, 3);
    expect(sms[2]!.body).toContain('What went wrong?');
    // The next SMS from the same sender (same partition of sms.send.v1) goes out after any repeat of the question.
    await reply(customer, 'Too slow');
    await waitForSms(customer, 4);
    expect(smsTo(customer).map((m) => m.body)).toEqual([expect.any(String), expect.any(String), expect.stringContaining('What went wrong?'), 'Thank you for your feedback!']);
  });
});
