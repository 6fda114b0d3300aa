import { describe, expect, it } from 'vitest';
import { loadSimulatorConfig } from '../src/index.js';

describe('loadSimulatorConfig', () => {
  it('has defaults for a local dev stack', () => {
    expect(loadSimulatorConfig({})).toEqual({
      host: '127.0.0.1',
      port: 4010,
      accountSid: 'AC00000000000000000000000000000000',
      authToken: 'simulator-auth-token',
      inboundWebhookUrl: 'http://127.0.0.1:3000/twilio/messaging/inbound',
      statusCallbackDelayMs: 50,
    });
  });

  it('reads overrides, treating empty values as unset', () => {
    const config = loadSimulatorConfig({
      SIMULATOR_PORT: '4999',
      SIMULATOR_HOST: '0.0.0.0',
      TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
      TWILIO_AUTH_TOKEN: 'tok',
      SIMULATOR_INBOUND_WEBHOOK_URL: 'http://gateway:3000/in',
      SIMULATOR_STATUS_CALLBACK_DELAY_MS: '',
    });
    expect(config).toEqual({
      host: '0.0.0.0',
      port: 4999,
      accountSid: 'AC0123456789abcdef0123456789abcdef',
      authToken: 'tok',
      inboundWebhookUrl: 'http://gateway:3000/in',
      statusCallbackDelayMs: 50,
    });
  });

  it('rejects invalid values, naming the variable', () => {
    expect(() => loadSimulatorConfig({ SIMULATOR_PORT: 'http' })).toThrow(/SIMULATOR_PORT/);
    expect(() => loadSimulatorConfig({ TWILIO_ACCOUNT_SID: 'SK123' })).toThrow(/TWILIO_ACCOUNT_SID/);
    expect(() => loadSimulatorConfig({ SIMULATOR_INBOUND_WEBHOOK_URL: 'not a url' })).toThrow(/SIMULATOR_INBOUND_WEBHOOK_URL/);
  });
});
