import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SurveySendRequested, Topics, createMessage } from '@sms-survey/contracts';
import type { PrismaClient } from '@sms-survey/db';
import { eventually } from '@sms-survey/testing';
import type { RunningSystem, startTopicReader } from '../src/index.js';
import { csat, startSurveySystem, produce, type publicApi, sendRequests, sendSurveyMarker, simControl, smsTo } from './messaging-helpers.js';

// Delivery failures, end to end: status callbacks that say undelivered, permanent errors on send (not
// retried), and temporary ones (retried without a second SMS).

const SENDER = '+4759440000';

describe('delivery failures, end to end', () => {
  let system: RunningSystem;
  let prisma: PrismaClient;
  let reader: Awaited<ReturnType<typeof startTopicReader>>;
  let api: ReturnType<typeof publicApi>;

  const startSurvey = async (customer: string) => {
    const res = await api('POST', `/v1/surveys/${csat.id}/send`, { identifier: customer, identifierType: 'Phone', channel: 'SMS' });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body.sessionId as string;
  };
  const session = (id: string) => prisma.surveySession.findUniqueOrThrow({ where: { id } });
  const endedEvent = (sessionId: string) =>
    eventually(
      () => reader.messages(`${system.topicPrefix}survey.sessions.v1`).find((m) => (m.value as { payload: { sessionId: string } }).payload.sessionId === sessionId),
      { what: `survey.session.ended for ${sessionId}` },
    );

  let running: Awaited<ReturnType<typeof startSurveySystem>>;

  beforeAll(async () => {
    // Short back-off, so a retried send is quick.
    running = await startSurveySystem({ SMS_SENDER_NUMBER: SENDER, TWILIO_RETRY_BASE_MS: '100' }, ['survey.sessions.v1']);
    ({ system, prisma, api, reader } = running);
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('a question that ends undelivered (30003) ends the session failed, naming the status and error; the status is on the message', async () => {
    const customer = '+4791400001';
    const sessionId = await startSurvey(customer);
    // The intro is delivered; then the handset becomes unreachable, and Twilio is slow to say so.
    await eventually(async () => (await prisma.outboundMessage.findFirst({ where: { sessionId, status: 'delivered' } })) ?? undefined, { what: 'intro delivered' });
    await simControl(system, '/faults/delivery', { to: customer, status: 'undelivered', errorCode: 30003 });
    await simControl(system, '/delays/status-callbacks', { to: customer, delayMs: 1000 });

    const question = await eventually(() => smsTo(system, customer)[1], { what: 'the question at Twilio' });
    expect(question.body).toContain('How satisfied were you');
    // Accepted by Twilio is not delivered: once the orchestrator has applied the acceptance, the session still waits for the status.
    await eventually(() => prisma.outboundMessage.findUnique({ where: { messageSid: question.sid } }), { what: 'the acceptance of the question applied' });
    expect((await session(sessionId)).status).toBe('active');

    await eventually(async () => (await session(sessionId)).status === 'failed', { what: 'session failed', timeoutMs: 15_000 });
    const ended = await session(sessionId);
    expect(ended.endReason).toMatch(/undelivered.*30003/);
    expect(ended.endedAt!.getTime() - question.dateCreated.getTime()).toBeGreaterThanOrEqual(1500);
    const event = await endedEvent(sessionId);
    expect(event.value).toMatchObject({ payload: { status: 'failed', reason: expect.stringMatching(/undelivered.*30003/) } });

    const recorded = await prisma.outboundMessage.findUniqueOrThrow({ where: { messageSid: question.sid } });
    expect(recorded).toMatchObject({ status: 'undelivered', errorCode: 30003, sessionId, customer });
    expect(sendRequests(system, { to: customer })).toHaveLength(2);
  });

  it("a permanent send error (21211, Twilio's invalid-number test number) fails the session; Twilio is called once", async () => {
    // The gateway refuses this number (not a mobile number), so the command goes straight onto the topic.
    const customer = '+15005550001';
    const sessionId = randomUUID();
    const command = createMessage(SurveySendRequested, {
      type: 'survey.send.requested',
      schemaVersion: 1,
      payload: { sessionId, surveyId: csat.id, surveyVersion: 1, customer, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), userSessionVariables: [], origin: { kind: 'api' } },
    });
    await produce(system, Topics.surveyCommands.name, [{ key: customer, value: command }]);

    await eventually(async () => (await prisma.surveySession.findUnique({ where: { id: sessionId } }))?.status === 'failed', { what: 'session failed' });
    expect((await session(sessionId)).endReason).toMatch(/invalid 'To' phone number/);
    expect((await endedEvent(sessionId)).value).toMatchObject({ payload: { status: 'failed' } });
    // Not retried, and the survey's next SMS is not tried either.
    await sendSurveyMarker(system, 2);
    expect(sendRequests(system, { to: customer }).map((r) => r.statusCode)).toEqual([400]);
    const outbound = await prisma.outboundMessage.findMany({ where: { sessionId }, orderBy: { createdAt: 'asc' } });
    expect(outbound.map((m) => [m.status, m.errorCode])).toEqual([['failed', 21211], ['canceled', null]]);
  });

  it('a permanent send error (21614, not a mobile number) fails the session without a retry', async () => {
    const customer = '+4791400002';
    await simControl(system, '/faults/api', { status: 400, code: 21614, message: "'To' number is not a valid mobile number", method: 'POST', pathContains: '/Messages.json' });
    const sessionId = await startSurvey(customer);
    await eventually(async () => (await session(sessionId)).status === 'failed', { what: 'session failed' });
    expect((await session(sessionId)).endReason).toMatch(/not a mobile number/);
    await sendSurveyMarker(system, 2);
    expect(sendRequests(system, { to: customer })).toHaveLength(1);
    expect(smsTo(system, customer)).toEqual([]);
  });

  it('429 then 503, then success: retried with back-off, exactly one SMS', async () => {
    const customer = '+4791400003';
    await simControl(system, '/faults/api', { status: 429, code: 20429, message: 'Too Many Requests', method: 'POST', pathContains: '/Messages.json' });
    await simControl(system, '/faults/api', { status: 503, code: 20503, message: 'Service Unavailable', method: 'POST', pathContains: '/Messages.json' });
    const sessionId = await startSurvey(customer);

    const [intro] = await eventually(() => (smsTo(system, customer).length >= 2 ? smsTo(system, customer) : undefined), { what: 'intro and question' });
    const introAttempts = sendRequests(system, { to: customer }).filter((r) => r.params.Body === intro!.body);
    expect(introAttempts.map((r) => r.statusCode)).toEqual([429, 503, 201]);
    // Backed off between attempts.
    expect(introAttempts[1]!.time - introAttempts[0]!.time).toBeGreaterThanOrEqual(40);
    await sendSurveyMarker(system);
    expect(smsTo(system, customer).filter((m) => m.body === intro!.body)).toHaveLength(1);
    expect(smsTo(system, customer)).toHaveLength(2);
    expect((await session(sessionId)).status).toBe('active');
  });
});
