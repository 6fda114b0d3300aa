import { describe, expect, it } from 'vitest';
import { signWebhook, validateTwilioWebhook, webhookBodySha256, webhookUrl } from '../src/index.js';

// Test vectors from twilio-node's webhooks tests.
const authToken = '12345';
const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
const signature = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';
const signatureOfUrlWithPort = 'kvajT1Ptam85bY51eRf/AJRuM3w=';

const jsonBody = '{"property": "value", "boolean": true}';
const jsonBodySha256 = '0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620';
const jsonUrl = `${url}&bodySHA256=${jsonBodySha256}`;
const jsonSignature = 'a9nBmqA0ju/hNViExpshrM61xv4=';

describe('signWebhook', () => {
  it('reproduces the published signature', () => {
    expect(signWebhook(authToken, url, params)).toBe(signature);
  });

  it('signs the URL exactly as given (a port changes the signature)', () => {
    expect(signWebhook(authToken, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', params)).toBe(signatureOfUrlWithPort);
  });

  it('reproduces the published JSON-body vector', () => {
    expect(webhookBodySha256(jsonBody)).toBe(jsonBodySha256);
    expect(signWebhook(authToken, jsonUrl, {})).toBe(jsonSignature);
  });
});

describe('validateTwilioWebhook (form-encoded)', () => {
  const valid = { authTokens: [authToken], url, signature, params };

  it('accepts the published vector', () => {
    expect(validateTwilioWebhook(valid)).toBe(true);
  });

  it('accepts a signature made without the port when the URL has :443, and the reverse', () => {
    expect(validateTwilioWebhook({ ...valid, url: 'https://mycompany.com:443/myapp.php?foo=1&bar=2' })).toBe(true);
    expect(validateTwilioWebhook({ ...valid, signature: signatureOfUrlWithPort })).toBe(true);
  });

  it('rejects a wrong token', () => {
    expect(validateTwilioWebhook({ ...valid, authTokens: ['54321'] })).toBe(false);
  });

  it('rejects a tampered parameter', () => {
    expect(validateTwilioWebhook({ ...valid, params: { ...params, Digits: '1235' } })).toBe(false);
    expect(validateTwilioWebhook({ ...valid, params: { ...params, Extra: 'x' } })).toBe(false);
  });

  it('rejects a tampered URL', () => {
    expect(validateTwilioWebhook({ ...valid, url: 'https://mycompany.com/myapp.php?foo=1&bar=3' })).toBe(false);
    expect(validateTwilioWebhook({ ...valid, url: 'http://mycompany.com/myapp.php?foo=1&bar=2' })).toBe(false);
  });

  it('rejects a missing or empty signature', () => {
    expect(validateTwilioWebhook({ ...valid, signature: undefined })).toBe(false);
    expect(validateTwilioWebhook({ ...valid, signature: '' })).toBe(false);
  });

  it('accepts the secondary token during a rotation, and ignores empty tokens', () => {
    expect(validateTwilioWebhook({ ...valid, authTokens: ['new-primary-token', authToken] })).toBe(true);
    expect(validateTwilioWebhook({ ...valid, authTokens: ['new-primary-token', ''] })).toBe(false);
    expect(validateTwilioWebhook({ ...valid, authTokens: [] })).toBe(false);
  });

  it('validates repeated parameters (array values, sorted and de-duplicated like Twilio)', () => {
    const repeated = { To: '+18005551212', MediaUrl: ['https://b.example/2.png', 'https://a.example/1.png'] };
    const sig = signWebhook(authToken, url, repeated);
    expect(validateTwilioWebhook({ authTokens: [authToken], url, signature: sig, params: repeated })).toBe(true);
    expect(
      validateTwilioWebhook({ authTokens: [authToken], url, signature: sig, params: { ...repeated, MediaUrl: ['https://a.example/1.png'] } }),
    ).toBe(false);
  });

  it('returns false for a URL it cannot parse instead of throwing', () => {
    expect(validateTwilioWebhook({ ...valid, url: 'not a url' })).toBe(false);
  });
});

describe('validateTwilioWebhook (JSON body)', () => {
  const valid = { authTokens: [authToken], url: jsonUrl, signature: jsonSignature, rawBody: jsonBody, contentType: 'application/json' };

  it('accepts the published vector', () => {
    expect(validateTwilioWebhook(valid)).toBe(true);
    expect(validateTwilioWebhook({ ...valid, contentType: 'application/json; charset=utf-8' })).toBe(true);
  });

  it('rejects a body that does not match bodySHA256', () => {
    expect(validateTwilioWebhook({ ...valid, rawBody: '{"property": "value", "boolean": false}' })).toBe(false);
  });

  it('rejects a missing body, wrong token or missing signature', () => {
    expect(validateTwilioWebhook({ ...valid, rawBody: undefined })).toBe(false);
    expect(validateTwilioWebhook({ ...valid, authTokens: ['54321'] })).toBe(false);
    expect(validateTwilioWebhook({ ...valid, signature: undefined })).toBe(false);
  });
});

describe('webhookUrl', () => {
  it('rebuilds the public URL Twilio signed', () => {
    expect(webhookUrl('https://sms.example.com', '/twilio/messaging/inbound?x=1')).toBe('https://sms.example.com/twilio/messaging/inbound?x=1');
    expect(webhookUrl('https://sms.example.com/', 'twilio/status')).toBe('https://sms.example.com/twilio/status');
    expect(webhookUrl('https://example.com/gateway', '/twilio/status')).toBe('https://example.com/gateway/twilio/status');
  });

  it('validates a request received behind a TLS-terminating proxy', () => {
    const publicUrl = 'https://sms.example.com/twilio/messaging/inbound';
    const sig = signWebhook('secret', publicUrl, { Body: 'hi' });
    const url = webhookUrl('https://sms.example.com', '/twilio/messaging/inbound');
    expect(validateTwilioWebhook({ authTokens: ['secret'], url, signature: sig, params: { Body: 'hi' } })).toBe(true);
  });
});
