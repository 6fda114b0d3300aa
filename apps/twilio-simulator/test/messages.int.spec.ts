import { classifyTwilioError, sendSms, validateTwilioWebhook } from '@sms-survey/twilio';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { accountSid, authToken, startReceiver, startSimulator, unreachableUrl, type RunningSimulator, type WebhookReceiver } from './helpers.js';

const OUR_NUMBER = '+4790000000';
const CUSTOMER = '+4791234567';

describe('Messages API', () => {
  let sim: RunningSimulator;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    sim = await startSimulator();
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });

  afterEach(async () => {
    await fetch(`${sim.baseUrl}/__sim/reset`, { method: 'POST' });
    receiver.received.length = 0;
    receiver.failNext.length = 0;
  });

  it('creates a message through the SDK and sends signed status callbacks: sent, then delivered', async () => {
    const statusCallback = `${receiver.baseUrl}/twilio/messaging/status?commandId=c0ffee`;
    const sent = await sendSms(sim.client, { from: OUR_NUMBER, to: CUSTOMER, body: 'How did we do? Reply 1-5', statusCallback, validityPeriodSeconds: 600 });
    expect(sent.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(sent.status).toBe('queued');

    await vi.waitFor(() => expect(receiver.received).toHaveLength(2), { timeout: 2000 });
    expect(receiver.received.map((r) => r.params.MessageStatus)).toEqual(['sent', 'delivered']);
    for (const callback of receiver.received) {
      expect(callback.url).toBe('/twilio/messaging/status?commandId=c0ffee');
      expect(callback.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(callback.params).toMatchObject({
        MessageSid: sent.sid,
        SmsSid: sent.sid,
        SmsStatus: callback.params.MessageStatus,
        AccountSid: accountSid,
        From: OUR_NUMBER,
        To: CUSTOMER,
        ApiVersion: '2010-04-01',
      });
      expect(callback.params).not.toHaveProperty('ErrorCode');
      const signature = callback.headers['x-twilio-signature'] as string;
      expect(validateTwilioWebhook({ authTokens: [authToken], url: `${receiver.baseUrl}${callback.url}`, signature, params: callback.params })).toBe(true);
      expect(validateTwilioWebhook({ authTokens: ['other-token'], url: `${receiver.baseUrl}${callback.url}`, signature, params: callback.params })).toBe(false);
    }

    const fetched = await sim.client.messages(sent.sid).fetch();
    expect(fetched).toMatchObject({ sid: sent.sid, status: 'delivered', from: OUR_NUMBER, to: CUSTOMER, direction: 'outbound-api', numSegments: '1' });
    expect(fetched.dateSent).toBeInstanceOf(Date);
    expect(sim.state.statusCallbacks.map((c) => [c.messageStatus, c.delivered, c.attempts])).toEqual([
      ['sent', true, 1],
      ['delivered', true, 1],
    ]);
  });

  it('answers in Twilio JSON shape', async () => {
    const { status, json } = await sim.api(`/api/2010-04-01/Accounts/${accountSid}/Messages.json`, {
      form: { From: OUR_NUMBER, To: CUSTOMER, Body: 'Hei! Hvordan var samtalen? 😀' },
    });
    expect(status).toBe(201);
    expect(json).toMatchObject({
      account_sid: accountSid,
      api_version: '2010-04-01',
      direction: 'outbound-api',
      status: 'queued',
      num_segments: '1',
      num_media: '0',
      price: null,
      error_code: null,
      error_message: null,
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${json.sid}.json`,
    });
    expect(json.date_created).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
  });

  it('counts segments: 160 GSM-7 characters fit one, 161 need two, UCS-2 splits at 70', async () => {
    const segmentsOf = async (body: string) => (await sendSmsRaw(body)).num_segments;
    async function sendSmsRaw(body: string) {
      return (await sim.api(`/api/2010-04-01/Accounts/${accountSid}/Messages.json`, { form: { From: OUR_NUMBER, To: CUSTOMER, Body: body } })).json;
    }
    expect(await segmentsOf('a'.repeat(160))).toBe('1');
    expect(await segmentsOf('a'.repeat(161))).toBe('2');
    expect(await segmentsOf('ø'.repeat(160))).toBe('1');
    expect(await segmentsOf('ł'.repeat(71))).toBe('2');
  });

  it('lists messages newest first, filtered by To and From, and pages through the SDK', async () => {
    for (const body of ['one', 'two', 'three']) await sendSms(sim.client, { from: OUR_NUMBER, to: CUSTOMER, body });
    await sendSms(sim.client, { from: OUR_NUMBER, to: '+4799999999', body: 'other' });

    const toCustomer = await sim.client.messages.list({ to: CUSTOMER, pageSize: 2 });
    expect(toCustomer.map((m) => m.body)).toEqual(['three', 'two', 'one']);
    const fromUs = await sim.client.messages.list({ from: OUR_NUMBER });
    expect(fromUs).toHaveLength(4);

    const page = await sim.api(`/api/2010-04-01/Accounts/${accountSid}/Messages.json?To=${encodeURIComponent(CUSTOMER)}&PageSize=2`);
    expect(page.json.messages).toHaveLength(2);
    expect(page.json).toMatchObject({ page: 0, page_size: 2, start: 0, end: 1, previous_page_uri: null });
    expect(page.json.next_page_uri).toContain('Page=1');
  });

  it('rejects sends Twilio would reject, with codes classifyTwilioError knows', async () => {
    const attempt = (to: string, body = 'x') => sendSms(sim.client, { from: OUR_NUMBER, to, body }).catch((e: unknown) => e);
    expect(classifyTwilioError(await attempt('+15005550001'))).toMatchObject({ code: 21211, status: 400, kind: 'permanent' });
    expect(classifyTwilioError(await attempt('+15005550009'))).toMatchObject({ code: 21614, kind: 'permanent' });
    expect(classifyTwilioError(await attempt('+15005550004'))).toMatchObject({ code: 21610, kind: 'permanent' });
    expect(classifyTwilioError(await attempt(CUSTOMER, 'x'.repeat(1601)))).toMatchObject({ code: 21617, kind: 'permanent' });

    const noBody = await sim.api(`/api/2010-04-01/Accounts/${accountSid}/Messages.json`, { form: { From: OUR_NUMBER, To: CUSTOMER } });
    expect(noBody).toMatchObject({ status: 400, json: { code: 21602, status: 400 } });
    const noFrom = await sim.api(`/api/2010-04-01/Accounts/${accountSid}/Messages.json`, { form: { To: CUSTOMER, Body: 'x' } });
    expect(noFrom).toMatchObject({ status: 400, json: { code: 21603 } });
    expect(sim.state.messages).toHaveLength(0);
  });

  it('blocks sending to a customer who texted STOP until they text START', async () => {
    await sim.sendInboundSms({ from: CUSTOMER, to: OUR_NUMBER, body: ' stop ', url: `${receiver.baseUrl}/inbound` });
    const blocked = await sendSms(sim.client, { from: OUR_NUMBER, to: CUSTOMER, body: 'Q1' }).catch((e: unknown) => e);
    expect(classifyTwilioError(blocked)).toMatchObject({ code: 21610, kind: 'permanent' });
    // Another of our numbers is not blocked.
    await expect(sendSms(sim.client, { from: '+4790000001', to: CUSTOMER, body: 'Q1' })).resolves.toMatchObject({ status: 'queued' });

    await sim.sendInboundSms({ from: CUSTOMER, to: OUR_NUMBER, body: 'START', url: `${receiver.baseUrl}/inbound` });
    await expect(sendSms(sim.client, { from: OUR_NUMBER, to: CUSTOMER, body: 'Q1' })).resolves.toMatchObject({ status: 'queued' });
  });

  it('reports a delivery failure set up for a number with ErrorCode in the callback', async () => {
    await fetch(`${sim.baseUrl}/__sim/faults/delivery`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: CUSTOMER, errorCode: 30006 }),
    });
    const sent = await sendSms(sim.client, { from: OUR_NUMBER, to: CUSTOMER, body: 'x', statusCallback: `${receiver.baseUrl}/status` });
    await vi.waitFor(() => expect(receiver.received).toHaveLength(2), { timeout: 2000 });
    expect(receiver.received[1]!.params).toMatchObject({ MessageStatus: 'undelivered', ErrorCode: '30006' });
    expect(await sim.client.messages(sent.sid).fetch()).toMatchObject({ status: 'undelivered', errorCode: 30006 });
  });

  it('makes the next API call fail with an injected fault, once', async () => {
    await fetch(`${sim.baseUrl}/__sim/faults/api`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 503, code: 20503, pathContains: '/Messages.json' }),
    });
    const failed = await sendSms(sim.client, { from: OUR_NUMBER, to: CUSTOMER, body: 'x' }).catch((e: unknown) => e);
    expect(classifyTwilioError(failed)).toMatchObject({ code: 20503, status: 503, kind: 'retryable' });
    await expect(sendSms(sim.client, { from: OUR_NUMBER, to: CUSTOMER, body: 'x' })).resolves.toMatchObject({ status: 'queued' });
  });

  it('retries a failing status callback, then records it as undelivered without crashing', async () => {
    receiver.failNext.push(500, 503);
    await sendSms(sim.client, { from: OUR_NUMBER, to: CUSTOMER, body: 'x', statusCallback: `${receiver.baseUrl}/status` });
    await vi.waitFor(() => expect(sim.state.statusCallbacks.filter((c) => c.delivered)).toHaveLength(2), { timeout: 2000 });
    expect(sim.state.statusCallbacks[0]).toMatchObject({ messageStatus: 'sent', attempts: 3, delivered: true, responseStatus: 200 });

    await sendSms(sim.client, { from: OUR_NUMBER, to: CUSTOMER, body: 'y', statusCallback: await unreachableUrl() });
    await vi.waitFor(() => expect(sim.state.statusCallbacks.filter((c) => c.url.includes('unreachable'))).toHaveLength(2), { timeout: 3000 });
    expect(sim.state.statusCallbacks.find((c) => c.url.includes('unreachable'))).toMatchObject({
      delivered: false,
      attempts: 3,
      error: expect.stringContaining('ECONNREFUSED'),
    });
    expect((await fetch(`${sim.baseUrl}/__sim/health`)).status).toBe(200);
  });

  it('records every API request with time, method, path, From and params', async () => {
    const before = Date.now();
    await sendSms(sim.client, { from: OUR_NUMBER, to: CUSTOMER, body: 'recorded' });
    const { requests } = (await (await fetch(`${sim.baseUrl}/__sim/requests`)).json()) as { requests: unknown[] };
    expect(requests).toEqual([
      {
        time: expect.any(Number),
        method: 'POST',
        path: `/api/2010-04-01/Accounts/${accountSid}/Messages.json`,
        from: OUR_NUMBER,
        params: { From: OUR_NUMBER, To: CUSTOMER, Body: 'recorded' },
        statusCode: 201,
      },
    ]);
    expect((requests[0] as { time: number }).time).toBeGreaterThanOrEqual(before);

    const view = (await (await fetch(`${sim.baseUrl}/__sim/messages?to=${encodeURIComponent(CUSTOMER)}`)).json()) as { messages: unknown[] };
    expect(view.messages).toEqual([expect.objectContaining({ to: CUSTOMER, body: 'recorded', direction: 'outbound-api' })]);
    const none = (await (await fetch(`${sim.baseUrl}/__sim/messages?from=%2B1`)).json()) as { messages: unknown[] };
    expect(none.messages).toEqual([]);
  });
});
