import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { classifyTwilioError } from '../src/index.js';

function restException(status: number, code?: number, message = 'error') {
  return new twilio.RestException({
    statusCode: status,
    body: code === undefined ? 'not json' : { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  });
}

function networkError(code: string, message = `connect ${code} 127.0.0.1:4010`) {
  return Object.assign(new Error(message), { code });
}

describe('classifyTwilioError', () => {
  it.each([21211, 21610, 21614, 21612, 21408, 21606])('Twilio code %i is permanent', (code) => {
    const result = classifyTwilioError(restException(400, code));
    expect(result).toMatchObject({ code, status: 400, retryable: false, permanent: true });
    expect(result.reason).not.toMatch(/HTTP/);
  });

  it('names the reason for known codes', () => {
    expect(classifyTwilioError(restException(400, 21610)).reason).toMatch(/unsubscribed/);
    expect(classifyTwilioError(restException(400, 21211)).reason).toMatch(/invalid 'To'/);
  });

  it('treats 429 and code 20429 as retryable', () => {
    expect(classifyTwilioError(restException(429, 20429))).toMatchObject({ code: 20429, retryable: true, permanent: false });
    expect(classifyTwilioError(restException(429))).toMatchObject({ status: 429, retryable: true, permanent: false });
    expect(classifyTwilioError({ code: 20429 })).toMatchObject({ retryable: true });
  });

  it.each([500, 502, 503, 504])('treats HTTP %i as retryable', (status) => {
    expect(classifyTwilioError(restException(status))).toMatchObject({ status, retryable: true, permanent: false });
  });

  it('treats other 4xx responses as permanent', () => {
    expect(classifyTwilioError(restException(400, 29999))).toMatchObject({ code: 29999, retryable: false, permanent: true });
    expect(classifyTwilioError(restException(404))).toMatchObject({ status: 404, retryable: false, permanent: true });
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'])('treats %s as a retryable network error', (code) => {
    expect(classifyTwilioError(networkError(code))).toMatchObject({ retryable: true, permanent: false, reason: `network error: ${code}` });
  });

  it('recognises socket hang up, axios timeouts and wrapped causes', () => {
    expect(classifyTwilioError(new Error('socket hang up'))).toMatchObject({ retryable: true });
    expect(classifyTwilioError(Object.assign(new Error('timeout of 10000ms exceeded'), { code: 'ECONNABORTED' }))).toMatchObject({
      retryable: true,
    });
    expect(classifyTwilioError(new Error('fetch failed', { cause: networkError('ECONNRESET') }))).toMatchObject({ retryable: true });
    expect(classifyTwilioError(new AggregateError([networkError('ECONNREFUSED')], 'connect failed'))).toMatchObject({ retryable: true });
  });

  it('does not guess about unknown errors', () => {
    expect(classifyTwilioError(new TypeError('x is undefined'))).toMatchObject({ retryable: false, permanent: false });
    expect(classifyTwilioError('boom')).toMatchObject({ retryable: false, permanent: false, reason: 'unclassified error: boom' });
    expect(classifyTwilioError(undefined)).toMatchObject({ retryable: false, permanent: false });
  });
});
