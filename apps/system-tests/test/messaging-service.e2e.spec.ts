import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPrismaClient, type PrismaClient } from '@sms-survey/db';
import { eventually } from '@sms-survey/testing';
import { startSystem, waitUntilReady, type RunningSystem } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const csat = JSON.parse(readFileSync(join(here, '../../../examples/surveys/csat-en-no.json'), 'utf8'));
const API_KEY = 'test-api-key';
/** The configured sender: a Messaging Service with two numbers. */
const SERVICE = 'MG0123456789abcdef0123456789abcdef';
const SERVICE_NUMBERS = ['+14155550301', '+14155550302'];
/** Another service, named by a SendSurvey request; the simulator gives it one number derived from its sid. */
const OTHER_SERVICE = 'MGfedcba9876543210fedcba9876543210';
const POOL = ['+4759440021', '+4759440022'];

interface SmsAtTwilio { sid: string; from: string | null; to: string; body: string; messagingServiceSid: string | null }


// Starting and stopping the whole system takes longer than vitest's default hook time on a busy machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

describe('a survey sent through a Twilio Messaging Service and answered, end to end', () => {
  let system: RunningSystem;
  let prisma: PrismaClient;

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${system.gateway.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${API_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const send = (identifier: string, extra: Record<string, unknown> = {}) =>
    api('POST', `/v1/surveys/${csat.id}/send`, { identifier, identifierType: 'Phone', channel: 'SMS', ...extra });
  const smsTo = (customer: string): SmsAtTwilio[] =>
    system.simulator.state.messages.filter((m) => m.direction === 'outbound-api' && m.to === customer) as SmsAtTwilio[];
  const waitForSms = (customer: string, count: number) =>
    eventually(() => (smsTo(customer).length >= count ? smsTo(customer) : undefined), { what: `${count} SMS to ${customer}`, timeoutMs: 30_000 });
  const reply = (customer: string, to: string, body: string) =>
    system.simulator.sendInboundSms({ from: customer, to, body, url: `${system.gateway.url}/twilio/messaging/inbound` });
  const session = (id: string) => prisma.surveySession.findUnique({ where: { id } });
  const postsTo = (customer: string) => system.simulator.state.requests.filter((r) => r.method === 'POST' && r.params?.To === customer);

  beforeAll(async () => {
    system = await startSystem({ API_KEYS: API_KEY, SMS_SENDER_NUMBER: SERVICE, SMS_SUBNUMBER_POOL: POOL.join(',') });
    system.simulator.state.messagingServices.set(SERVICE, SERVICE_NUMBERS);
    prisma = createPrismaClient({ databaseUrl: system.database.url });
    await waitUntilReady(system);
    expect((await api('PUT', `/v1/surveys/${csat.id}`, csat)).status).toBe(201);
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await system?.stop();
  });

  it('every SMS goes with MessagingServiceSid; the customer answers the number Twilio chose and the survey completes', async () => {
    const customer = '+14155550999';
    const accepted = await send(customer);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const sessionId = accepted.body.sessionId as string;
    const [intro, question] = await waitForSms(customer, 2);
    expect(intro!.body).toContain('Thank you for calling');
    expect(question!.body).toContain('How satisfied');
    expect(SERVICE_NUMBERS).toContain(question!.from);
    expect((await session(sessionId))?.senderNumber).toBe(SERVICE);

    // The customer answers the service's number; the next question goes through the service again (sticky number).
    await reply(customer, question!.from!, '5');
    const next = await waitForSms(customer, 3);
    expect(next[2]!.body).toContain('Would you use us again?');
    await reply(customer, next[2]!.from!, 'yes');
    const done = await waitForSms(customer, 4);
    expect(done[3]!.body).toBe('Thank you for your feedback!');
    await eventually(async () => (await session(sessionId))?.status === 'completed', { what: 'completed' });
    expect(await prisma.surveyAnswer.count({ where: { sessionId } })).toBe(2);

    expect(smsTo(customer).every((m) => m.messagingServiceSid === SERVICE && m.from === question!.from)).toBe(true);
    const posts = postsTo(customer);
    expect(posts).toHaveLength(4);
    expect(posts.every((p) => p.params.MessagingServiceSid === SERVICE && p.params.From === undefined)).toBe(true);
  });

  it("SendSurvey's sender: another Messaging Service is used and answered; an alphanumeric id is refused (400) for a survey with questions", async () => {
    const customer = '+14155550998';
    const refused = await send(customer, { sender: 'ACME' });
    expect(refused.status).toBe(400);
    expect(refused.body.problems).toEqual([expect.stringMatching(/^sender: the alphanumeric sender "ACME" cannot receive replies/)]);
    expect((await send(customer, { sender: 'MG123' })).status).toBe(400);

    const accepted = await send(customer, { sender: OTHER_SERVICE });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const [, question] = await waitForSms(customer, 2);
    expect(question!.messagingServiceSid).toBe(OTHER_SERVICE);
    expect(question!.from).toMatch(/^\+1555\d{7}$/);
    await reply(customer, question!.from!, '4');
    await eventually(async () => (await prisma.surveyAnswer.count({ where: { sessionId: accepted.body.sessionId as string } })) === 1, { what: 'the answer' });
  });

  it('subnumbering still gives a Norwegian customer pool numbers, and each reply reaches its own session', async () => {
    const customer = '+4791000031';
    const first = (await send(customer)).body.sessionId as string;
    const second = (await send(customer)).body.sessionId as string;
    const sms = await waitForSms(customer, 4);
    expect(new Set(sms.map((m) => m.from))).toEqual(new Set(POOL));
    expect(sms.every((m) => m.messagingServiceSid === null)).toBe(true);
    await reply(customer, (await session(second))!.senderNumber, '3');
    await eventually(async () => (await prisma.surveyAnswer.count({ where: { sessionId: second } })) === 1, { what: 'answer on the second session' });
    expect(await prisma.surveyAnswer.count({ where: { sessionId: first } })).toBe(0);
  });
});
