import { describe, expect, it } from 'vitest';
import { ConfigError, SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN } from '@sms-survey/service-kit';
import { loadGatewayConfig } from '../src/index.js';

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadGatewayConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  return expect.unreachable('loadGatewayConfig accepted the environment');
}

describe('loadGatewayConfig', () => {
  it('names every bad variable at once', () => {
    const error = configError({ PUBLIC_BASE_URL: 'surveys.example.com', PORT: 'http' });
    expect(error.problems).toHaveLength(2);
    expect(error.problems.join('\n')).toMatch(/^PUBLIC_BASE_URL: /m);
    expect(error.problems.join('\n')).toMatch(/^PORT: /m);
    expect(error.message).toContain('PUBLIC_BASE_URL');
    expect(error.message).toContain('PORT');
  });

  it('refuses half a Twilio credential pair, naming the missing half', () => {
    const error = configError({ TWILIO_ACCOUNT_SID: `AC${'0123456789abcdef'.repeat(2)}` });
    expect(error.problems).toEqual([expect.stringMatching(/^TWILIO_AUTH_TOKEN: must be set together with TWILIO_ACCOUNT_SID/)]);
  });

  it('uses the local simulator when no Twilio credentials are set, with defaults for everything else', () => {
    const config = loadGatewayConfig({});
    expect(config.twilio).toEqual({
      accountSid: SIMULATOR_ACCOUNT_SID,
      authTokens: [SIMULATOR_AUTH_TOKEN],
      apiBaseUrl: 'http://127.0.0.1:4010',
      simulated: true,
    });
    expect(config).toMatchObject({ PORT: 3000, HOST: '127.0.0.1', PUBLIC_BASE_URL: 'http://127.0.0.1:3000', KAFKA_BROKERS: ['127.0.0.1:9092'], KAFKA_TOPIC_PREFIX: '' });
    // Empty values count as unset.
    expect(loadGatewayConfig({ TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '' }).twilio.simulated).toBe(true);
  });

  it('accepts real credentials with a secondary token, and strips a trailing slash from PUBLIC_BASE_URL', () => {
    const sid = `AC${'0123456789abcdef'.repeat(2)}`;
    const config = loadGatewayConfig({
      TWILIO_ACCOUNT_SID: sid,
      TWILIO_AUTH_TOKEN: 'primary-token-123',
      TWILIO_AUTH_TOKEN_SECONDARY: 'secondary-token-456',
      PUBLIC_BASE_URL: 'https://surveys.example.com/',
      PORT: '8080',
      TWILIO_CA_BUNDLE: '/etc/ssl/extra-ca.pem',
      HTTP_PROXY: 'http://proxy.internal:3128',
    });
    expect(config.twilio).toMatchObject({
      accountSid: sid,
      authTokens: ['primary-token-123', 'secondary-token-456'],
      simulated: false,
      caBundlePath: '/etc/ssl/extra-ca.pem',
      httpProxy: 'http://proxy.internal:3128',
    });
    expect(config.PUBLIC_BASE_URL).toBe('https://surveys.example.com');
    expect(config.PORT).toBe(8080);
  });
});
