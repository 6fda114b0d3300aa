import { validateTwilioWebhook } from '@sms-survey/twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliverInboundSms } from '../src/index.js';
import { accountSid, authToken, startReceiver, startSimulator, unreachableUrl, type RunningSimulator, type WebhookReceiver } from './helpers.js';

const OUR_NUMBER = '+4790000000';
const CUSTOMER = '+4791234567';

describe('inbound SMS webhooks', () => {
  let sim: RunningSimulator;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startReceiver('<Response><Message>Thanks!</Message></Response>');
    sim = await startSimulator({ inboundWebhookUrl: `${receiver.baseUrl}/twilio/messaging/inbound` });
  });

  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });

  beforeEach(() => {
    receiver.received.length = 0;
  });

  it('POST /__sim/inbound delivers a correctly signed, form-encoded webhook and returns the response', async () => {
    const response = await fetch(`${sim.baseUrl}/__sim/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: CUSTOMER, to: OUR_NUMBER, body: '4 – takk for hjelpen' }),
    });
    expect(response.status).toBe(200);
    const result = (await response.json()) as { status: number; body: string; messageSid: string };
    expect(result).toEqual({ status: 200, body: '<Response><Message>Thanks!</Message></Response>', messageSid: expect.stringMatching(/^SM[0-9a-f]{32}$/) });

    expect(receiver.received).toHaveLength(1);
    const webhook = receiver.received[0]!;
    expect(webhook.url).toBe('/twilio/messaging/inbound');
    expect(webhook.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(webhook.params).toEqual({
      MessageSid: result.messageSid,
      SmsMessageSid: result.messageSid,
      SmsSid: result.messageSid,
      AccountSid: accountSid,
      From: CUSTOMER,
      To: OUR_NUMBER,
      Body: '4 – takk for hjelpen',
      NumMedia: '0',
      NumSegments: '1',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
    });
    const signature = webhook.headers['x-twilio-signature'] as string;
    const url = `${receiver.baseUrl}${webhook.url}`;
    expect(validateTwilioWebhook({ authTokens: [authToken], url, signature, params: webhook.params })).toBe(true);
    expect(validateTwilioWebhook({ authTokens: [authToken], url, signature, params: { ...webhook.params, Body: '5' } })).toBe(false);

    expect(sim.state.messages.find((m) => m.sid === result.messageSid)).toMatchObject({ direction: 'inbound', status: 'received', from: CUSTOMER });
  });

  it('delivers to the URL given in the request, signing that exact URL with its query', async () => {
    const url = `${receiver.baseUrl}/other/hook?tenant=a%20b`;
    await fetch(`${sim.baseUrl}/__sim/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: CUSTOMER, to: OUR_NUMBER, body: 'hi', url }),
    });
    const webhook = receiver.received[0]!;
    expect(webhook.url).toBe('/other/hook?tenant=a%20b');
    expect(validateTwilioWebhook({ authTokens: [authToken], url, signature: webhook.headers['x-twilio-signature'] as string, params: webhook.params })).toBe(true);
  });

  it('adds OptOutType for opt-out keywords', async () => {
    await sim.sendInboundSms({ from: CUSTOMER, to: OUR_NUMBER, body: 'Stop' });
    expect(receiver.received[0]!.params.OptOutType).toBe('STOP');
    expect(sim.state.optOuts.has(`${CUSTOMER}|${OUR_NUMBER}`)).toBe(true);
  });

  it('answers 502 when the webhook cannot be delivered, and 400 for a bad request', async () => {
    const unreachable = await fetch(`${sim.baseUrl}/__sim/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: CUSTOMER, to: OUR_NUMBER, body: 'hi', url: await unreachableUrl() }),
    });
    expect(unreachable.status).toBe(502);
    const invalid = await fetch(`${sim.baseUrl}/__sim/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: OUR_NUMBER, body: 'hi' }),
    });
    expect(invalid.status).toBe(400);
  });

  it('deliverInboundSms works without a simulator, for in-process tests', async () => {
    const url = `${receiver.baseUrl}/twilio/messaging/inbound`;
    const result = await deliverInboundSms({ url, authToken: 'gateway-token', accountSid, from: CUSTOMER, to: OUR_NUMBER, body: 'Ja' });
    expect(result).toMatchObject({ status: 200, params: { Body: 'Ja', MessageSid: result.messageSid } });
    const webhook = receiver.received[0]!;
    const signature = webhook.headers['x-twilio-signature'] as string;
    expect(validateTwilioWebhook({ authTokens: ['gateway-token'], url, signature, params: webhook.params })).toBe(true);
    expect(validateTwilioWebhook({ authTokens: [authToken], url, signature, params: webhook.params })).toBe(false);
  });
});
