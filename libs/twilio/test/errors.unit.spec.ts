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
    expect(result).toMatchObject({ code, status: 400, kind: 'permanent' });
    expect(result.reason).not.toMatch(/HTTP/);
  });

  it('names the reason for known codes', () => {
    expect(classifyTwilioError(restException(400, 21610)).reason).toMatch(/unsubscribed/);
    expect(classifyTwilioError(restException(400, 21211)).reason).toMatch(/invalid 'To'/);
  });

  it('treats 429 and code 20429 as retryable', () => {
    expect(classifyTwilioError(restException(429, 20429))).toMatchObject({ code: 20429, kind: 'retryable' });
    expect(classifyTwilioError(restException(429))).toMatchObject({ status: 429, kind: 'retryable' });
    expect(classifyTwilioError({ code: 20429 })).toMatchObject({ kind: 'retryable' });
  });

  it.each([500, 502, 503, 504])('treats HTTP %i as retryable', (status) => {
    expect(classifyTwilioError(restException(status))).toMatchObject({ status, kind: 'retryable' });
  });

  it('treats other 4xx responses as permanent', () => {
    expect(classifyTwilioError(restException(400, 29999))).toMatchObject({ code: 29999, kind: 'permanent' });
    expect(classifyTwilioError(restException(404))).toMatchObject({ status: 404, kind: 'permanent' });
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'])('treats %s as a retryable network error', (code) => {
    expect(classifyTwilioError(networkError(code))).toMatchObject({ kind: 'retryable', reason: `network error: ${code}` });
  });

  it('recognises socket hang up, axios timeouts and wrapped causes', () => {
    expect(classifyTwilioError(new Error('socket hang up'))).toMatchObject({ kind: 'retryable' });
    expect(classifyTwilioError(Object.assign(new Error('timeout of 10000ms exceeded'), { code: 'ECONNABORTED' }))).toMatchObject({
      kind: 'retryable',
    });
    expect(classifyTwilioError(new Error('fetch failed', { cause: networkError('ECONNRESET') }))).toMatchObject({ kind: 'retryable' });
    expect(classifyTwilioError(new AggregateError([networkError('ECONNREFUSED')], 'connect failed'))).toMatchObject({ kind: 'retryable' });
  });

  it('does not guess about unknown errors', () => {
    expect(classifyTwilioError(new TypeError('x is undefined'))).toMatchObject({ kind: 'unknown' });
    expect(classifyTwilioError('boom')).toMatchObject({ kind: 'unknown', reason: 'unclassified error: boom' });
    expect(classifyTwilioError(undefined)).toMatchObject({ kind: 'unknown' });
  });
});
