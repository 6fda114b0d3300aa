import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '@sms-survey/db';
import { eventually } from '@sms-survey/testing';
import type { RunningSystem, startTopicReader } from '../src/index.js';
import { csat, sendSurveyMarker, startSurveySystem, type publicApi, sendRequests, smsTo } from './messaging-helpers.js';

// Opt-out, end to end: customers text STOP (and its variants) through the simulator to the gateway's signed
// webhook; the orchestrator suppresses them; the gateway refuses new surveys; Twilio's 21610 does the same.

const SENDER = '+4759440000'; // the default sender (no subnumbering here)
const OPTED_OUT = /opted out.*START/;

type OptOutType = 'STOP' | 'START' | 'HELP';

describe('opt-out, end to end', () => {
  let system: RunningSystem;
  let prisma: PrismaClient;
  let reader: Awaited<ReturnType<typeof startTopicReader>>;
  let api: ReturnType<typeof publicApi>;

  const sendSurvey = (customer: string) => api('POST', `/v1/surveys/${csat.id}/send`, { identifier: customer, identifierType: 'Phone', channel: 'SMS' });
  const startSurvey = async (customer: string) => {
    const res = await sendSurvey(customer);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body.sessionId as string;
  };
  const waitForSms = (customer: string, count: number) =>
    eventually(() => (smsTo(system, customer).length >= count ? smsTo(system, customer) : undefined), { what: `${count} SMS to ${customer}`, timeoutMs: 20_000 });
  /** The customer texts us; resolves once the orchestrator has stored the SMS (it does so before acting on it). */
  const text = async (customer: string, body: string, optOutType?: OptOutType | null) => {
    const res = await system.simulator.sendInboundSms({ from: customer, to: SENDER, body, url: `${system.gateway.url}/twilio/messaging/inbound`, ...(optOutType !== undefined && { optOutType }) });
    expect(res.status).toBe(200);
    await eventually(() => prisma.inboundMessage.findUnique({ where: { messageSid: res.messageSid } }), { what: `"${body}" stored` });
    return res;
  };
  const session = (id: string) => prisma.surveySession.findUniqueOrThrow({ where: { id } });
  const endedEvent = (sessionId: string) =>
    eventually(
      () => reader.messages(`${system.topicPrefix}survey.sessions.v1`).find((m) => (m.value as { payload: { sessionId: string } }).payload.sessionId === sessionId),
      { what: `survey.session.ended for ${sessionId}` },
    );
  const suppressed = async (customer: string) => (await prisma.suppressedCustomer.findUnique({ where: { customer } })) !== null;

  let running: Awaited<ReturnType<typeof startSurveySystem>>;

  beforeAll(async () => {
    running = await startSurveySystem({ SMS_SENDER_NUMBER: SENDER }, ['survey.sessions.v1']);
    ({ system, prisma, api, reader } = running);
  });

  afterAll(async () => {
    await running?.stop();
  });

  const variants: { name: string; customer: string; body: string; optOutType?: OptOutType | null }[] = [
    { name: 'STOP (Twilio adds OptOutType=STOP)', customer: '+4791300001', body: 'STOP' },
    { name: "' stop ' without OptOutType (our own keyword check)", customer: '+4791300002', body: ' stop ', optOutType: null },
    { name: "'Unsubscribe' without OptOutType", customer: '+4791300003', body: 'Unsubscribe', optOutType: null },
    { name: 'OptOutType=STOP on another body (an Advanced Opt-Out keyword)', customer: '+4791300004', body: 'Please never text me again', optOutType: 'STOP' },
  ];

  it.each(variants)('$name during an active survey: session opted-out, ended event, no SMS back, SendSurvey then 409', async ({ customer, body, optOutType }) => {
    const sessionId = await startSurvey(customer);
    await waitForSms(customer, 2);
    expect((await session(sessionId)).status).toBe('active');
    const requestsBefore = sendRequests(system, { to: customer }).length;

    await text(customer, body, optOutType);
    await eventually(async () => (await session(sessionId)).status === 'opted-out', { what: 'session opted-out' });
    expect(await suppressed(customer)).toBe(true);
    const ended = await endedEvent(sessionId);
    expect(ended.value).toMatchObject({ type: 'survey.session.ended', payload: { sessionId, status: 'opted-out', customer } });

    const refused = await sendSurvey(customer);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(OPTED_OUT);
    // Nothing was sent back (Twilio itself confirms an opt-out), not even attempted.
    await sendSurveyMarker(system);
    expect(sendRequests(system, { to: customer })).toHaveLength(requestsBefore);
  });

  it("STOP right after the survey's first SMS: the next one, held for its two-second spacing, is never sent", async () => {
    const customer = '+4791300005';
    const sessionId = await startSurvey(customer);
    await waitForSms(customer, 1);
    await text(customer, 'Stop');
    await eventually(async () => (await session(sessionId)).status === 'opted-out', { what: 'opted-out' });
    await sendSurveyMarker(system, 2);
    expect(sendRequests(system, { to: customer })).toHaveLength(1);
    const outbound = await prisma.outboundMessage.findMany({ where: { sessionId }, orderBy: { createdAt: 'asc' } });
    expect(outbound.map((m) => m.status)).toEqual([expect.stringMatching(/sent|delivered/), 'canceled']);
  });

  it('while suppressed a reply is ignored; START opts back in and a survey can be sent again', async () => {
    const customer = '+4791300010';
    const first = await startSurvey(customer);
    await waitForSms(customer, 2);
    await text(customer, 'stop');
    await eventually(async () => (await session(first)).status === 'opted-out', { what: 'opted-out' });

    await text(customer, '5');
    expect((await sendSurvey(customer)).status).toBe(409);
    await sendSurveyMarker(system);
    expect(sendRequests(system, { to: customer })).toHaveLength(2);
    expect(await prisma.surveyAnswer.count({ where: { sessionId: first } })).toBe(0);

    await text(customer, 'START');
    await eventually(async () => !(await suppressed(customer)), { what: 'off the suppression list' });
    expect(sendRequests(system, { to: customer })).toHaveLength(2); // START gets no SMS from us either
    const second = await startSurvey(customer);
    const sms = await waitForSms(customer, 4);
    expect(sms[2]!.body).toContain('Thank you for calling');
    expect((await session(second)).status).toBe('active');
    expect((await session(first)).status).toBe('opted-out');
  });

  it('HELP changes nothing: the session stays at its question, and the next answer counts', async () => {
    const customer = '+4791300020';
    const sessionId = await startSurvey(customer);
    await waitForSms(customer, 2);
    const before = await session(sessionId);

    await text(customer, ' help ');
    await sendSurveyMarker(system);
    const after = await session(sessionId);
    expect(after).toMatchObject({ status: 'active', currentElementId: before.currentElementId, invalidReplies: 0, endedAt: null });
    expect(await suppressed(customer)).toBe(false);
    expect(sendRequests(system, { to: customer })).toHaveLength(2);

    await text(customer, '4');
    const sms = await waitForSms(customer, 3);
    expect(sms[2]!.body).toContain('Would you use us again?');
  });

  it("Twilio's 21610 (the customer unsubscribed at Twilio) ends the session opted-out and suppresses them", async () => {
    const customer = '+4791300030';
    // The customer texted STOP to this number where we did not see it (say, before this system existed):
    // Twilio refuses every send from it to them with 21610.
    system.simulator.state.optOuts.add(`${customer}|${SENDER}`);
    const sessionId = await startSurvey(customer);

    await eventually(async () => (await session(sessionId)).status === 'opted-out', { what: 'opted-out after 21610' });
    expect((await session(sessionId)).endReason).toContain('21610');
    expect(await suppressed(customer)).toBe(true);
    expect((await endedEvent(sessionId)).value).toMatchObject({ payload: { status: 'opted-out' } });
    const refused = await sendSurvey(customer);
    expect(refused.status).toBe(409);

    // The survey's next SMS (scheduled two seconds after the first) is not sent either.
    await sendSurveyMarker(system, 2);
    const attempts = sendRequests(system, { to: customer });
    expect(attempts.map((r) => r.statusCode)).toEqual([400]);
    expect(smsTo(system, customer)).toEqual([]);
  });
});
