import { sendSms } from '@sms-survey/twilio';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { accountSid, authToken, startReceiver, startSimulator, type RunningSimulator, type WebhookReceiver } from './helpers.js';

const OUR_NUMBER = '+4790000000';
const SLOW_CUSTOMER = '+4791234567';
const OTHER_CUSTOMER = '+4791234568';

const control = (sim: RunningSimulator, path: string, body: unknown) =>
  fetch(`${sim.baseUrl}/__sim${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('delays on demand', () => {
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
  });

  const callbacksTo = (to: string) => receiver.received.filter((r) => r.params.To === to).map((r) => r.params.MessageStatus);

  it('delays the status callbacks of one number, set and removed at runtime, others keep the default', async () => {
    expect((await control(sim, '/delays/status-callbacks', { to: SLOW_CUSTOMER, delayMs: 700 })).status).toBe(200);
    const statusCallback = `${receiver.baseUrl}/status`;
    const started = Date.now();
    await sendSms(sim.client, { from: OUR_NUMBER, to: SLOW_CUSTOMER, body: 'slow', statusCallback });
    await sendSms(sim.client, { from: OUR_NUMBER, to: OTHER_CUSTOMER, body: 'fast', statusCallback });

    await vi.waitFor(() => expect(callbacksTo(OTHER_CUSTOMER)).toEqual(['sent', 'delivered']), { timeout: 2000 });
    expect(callbacksTo(SLOW_CUSTOMER)).toEqual([]);
    await vi.waitFor(() => expect(callbacksTo(SLOW_CUSTOMER)).toEqual(['sent', 'delivered']), { timeout: 4000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);

    // Removed: the default (10 ms here) applies again.
    const removed = await (await control(sim, '/delays/status-callbacks', { to: SLOW_CUSTOMER, delayMs: null })).json();
    expect(removed).toEqual({ statusCallbackDelays: [] });
    receiver.received.length = 0;
    await sendSms(sim.client, { from: OUR_NUMBER, to: SLOW_CUSTOMER, body: 'fast again', statusCallback });
    await vi.waitFor(() => expect(callbacksTo(SLOW_CUSTOMER)).toEqual(['sent', 'delivered']), { timeout: 500 });
  });

  it('delays every status callback without a number, a number of its own taking precedence', async () => {
    await control(sim, '/delays/status-callbacks', { delayMs: 600 });
    await control(sim, '/delays/status-callbacks', { to: OTHER_CUSTOMER, delayMs: 0 });
    const statusCallback = `${receiver.baseUrl}/status`;
    await sendSms(sim.client, { from: OUR_NUMBER, to: SLOW_CUSTOMER, body: 'held', statusCallback });
    await sendSms(sim.client, { from: OUR_NUMBER, to: OTHER_CUSTOMER, body: 'not held', statusCallback });
    await vi.waitFor(() => expect(callbacksTo(OTHER_CUSTOMER)).toEqual(['sent', 'delivered']), { timeout: 500 });
    expect(callbacksTo(SLOW_CUSTOMER)).toEqual([]);
    await vi.waitFor(() => expect(callbacksTo(SLOW_CUSTOMER)).toEqual(['sent', 'delivered']), { timeout: 3000 });
  });

  it("'after': creates the message at once and holds the answer back", async () => {
    const set = await control(sim, '/delays/api', { delayMs: 800, method: 'post', pathContains: '/Messages.json', to: SLOW_CUSTOMER });
    expect(await set.json()).toMatchObject({ apiDelays: [{ delayMs: 800, phase: 'after', method: 'POST', to: SLOW_CUSTOMER, remaining: 1 }] });
    const started = Date.now();
    const sending = sendSms(sim.client, { from: OUR_NUMBER, to: SLOW_CUSTOMER, body: 'accepted, answer late' });
    await vi.waitFor(() => expect(sim.state.messages.map((m) => m.body)).toEqual(['accepted, answer late']), { timeout: 500 });
    const sent = await sending;
    expect(Date.now() - started).toBeGreaterThanOrEqual(750);
    expect(sent.sid).toBe(sim.state.messages[0]!.sid);
    // Used once: the next request is answered at once.
    const next = Date.now();
    await sendSms(sim.client, { from: OUR_NUMBER, to: SLOW_CUSTOMER, body: 'quick' });
    expect(Date.now() - next).toBeLessThan(500);
    expect(sim.state.apiDelays).toEqual([]);
  });

  it("'before': a request whose client goes away while held is dropped unhandled; a patient one is handled late", async () => {
    await control(sim, '/delays/api', { delayMs: 600, phase: 'before', pathContains: '/Messages.json', from: OUR_NUMBER, count: 2 });
    const form = new URLSearchParams({ From: OUR_NUMBER, To: SLOW_CUSTOMER, Body: 'lost on the way' });
    const abort = new AbortController();
    const lost = fetch(`${sim.baseUrl}/api/2010-04-01/Accounts/${accountSid}/Messages.json`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      signal: abort.signal,
    });
    await vi.waitFor(() => expect(sim.state.requests).toHaveLength(1), { timeout: 500 });
    abort.abort();
    await expect(lost).rejects.toThrow();
    await vi.waitFor(() => expect(sim.state.requests[0]).toMatchObject({ dropped: true }), { timeout: 2000 });
    expect(sim.state.messages).toEqual([]);

    const started = Date.now();
    const late = await sendSms(sim.client, { from: OUR_NUMBER, to: SLOW_CUSTOMER, body: 'arrives late' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect(sim.state.messages.map((m) => m.sid)).toEqual([late.sid]);
    expect(sim.state.requests[1]).not.toHaveProperty('dropped');
  });

  it('closes without waiting for a held request', async () => {
    const other = await startSimulator();
    await control(other, '/delays/api', { delayMs: 60_000, pathContains: '/Messages.json' });
    const pending = sendSms(other.client, { from: OUR_NUMBER, to: SLOW_CUSTOMER, body: 'x' }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(other.state.messages).toHaveLength(1), { timeout: 500 });
    const started = Date.now();
    await other.close();
    await pending;
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('sends the OptOutType it is given (a custom keyword), or none when told so', async () => {
    const res = await control(sim, '/inbound', { from: SLOW_CUSTOMER, to: OUR_NUMBER, body: 'Please no more texts', optOutType: 'STOP', url: `${receiver.baseUrl}/inbound` });
    expect(res.status).toBe(200);
    expect(receiver.received[0]!.params).toMatchObject({ Body: 'Please no more texts', OptOutType: 'STOP' });
    expect(sim.state.optOuts.has(`${SLOW_CUSTOMER}|${OUR_NUMBER}`)).toBe(true);

    // null: no OptOutType (a number without Advanced Opt-Out); Twilio still honours the keyword itself.
    await control(sim, '/inbound', { from: OTHER_CUSTOMER, to: OUR_NUMBER, body: ' stop ', optOutType: null, url: `${receiver.baseUrl}/inbound` });
    expect(receiver.received[1]!.params).toMatchObject({ Body: ' stop ' });
    expect(receiver.received[1]!.params).not.toHaveProperty('OptOutType');
    expect(sim.state.optOuts.has(`${OTHER_CUSTOMER}|${OUR_NUMBER}`)).toBe(true);
  });
});
