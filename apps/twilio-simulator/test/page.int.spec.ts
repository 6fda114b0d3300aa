import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, startSimulator, type RunningSimulator, type WebhookReceiver } from './helpers.js';

// `/__sim` in a browser: a small HTML view of the messages instead of a JSON 404.

describe('GET /__sim', () => {
  let sim: RunningSimulator;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startReceiver('<Response/>');
    sim = await startSimulator({ inboundWebhookUrl: `${receiver.baseUrl}/twilio/messaging/inbound` });
    for (const [from, body] of [['+4791234567', 'Takk <3 & "hei"'], ['+4799999999', 'other customer']] as const) {
      const res = await fetch(`${sim.baseUrl}/__sim/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from, to: '+4759440000', body }) });
      expect(res.status).toBe(200);
    }
  });
  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });

  it('answers a browser with an HTML page of the messages, newest first, bodies escaped, filtered by ?number=', async () => {
    for (const path of ['/__sim', '/__sim/']) {
      const res = await fetch(`${sim.baseUrl}${path}`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      const html = await res.text();
      expect(html).toContain('<title>Twilio simulator: messages</title>');
      expect(html).toContain('Takk &#60;3 &#38; &#34;hei&#34;');
      expect(html).not.toContain('<3 &');
      expect(html.indexOf('other customer')).toBeLessThan(html.indexOf('Takk'));
    }
    const one = await (await fetch(`${sim.baseUrl}/__sim?number=%2B4799999999`, { headers: { accept: 'text/html' } })).text();
    expect(one).toContain('other customer');
    expect(one).not.toContain('Takk');
  });

  it('still answers anything else with the JSON 404', async () => {
    const res = await fetch(`${sim.baseUrl}/__sim`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ status: 404, code: 20404 });
  });
});
