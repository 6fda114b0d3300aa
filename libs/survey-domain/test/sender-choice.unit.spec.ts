import { describe, expect, it } from 'vitest';
import { ReplyableSender, Sender, senderType } from '@sms-survey/contracts';
import { chooseSender, replyLookup, replySender, senderProblem, surveyNeedsReplies, usesSubnumbering } from '../src/index.js';

const policy = { defaultSender: '+15550000000', subnumberPool: ['+4759440001', '+4759440002'] };
const session = (id: string, senderNumber: string, minutesAgo: number) => ({ id, senderNumber, startedAt: new Date(Date.UTC(2026, 0, 1, 12, 0) - minutesAgo * 60_000) });

describe('chooseSender', () => {
  it('gives a Norwegian customer a pool number not used by their other active sessions', () => {
    expect(chooseSender('+4791234567', [], policy)).toEqual({ sender: '+4759440001', supersede: [] });
    expect(chooseSender('+4791234567', [session('a', '+4759440001', 5)], policy)).toEqual({ sender: '+4759440002', supersede: [] });
  });

  it('when the pool is exhausted, the oldest session gives up its number', () => {
    const active = [session('new', '+4759440001', 1), session('old', '+4759440002', 30)];
    expect(chooseSender('+4791234567', active, policy)).toEqual({ sender: '+4759440002', supersede: ['old'] });
  });

  it('uses the default sender elsewhere and supersedes the active session', () => {
    expect(chooseSender('+14155550123', [session('a', '+15550000000', 3)], policy)).toEqual({ sender: '+15550000000', supersede: ['a'] });
  });

  it('subnumbering needs a pool', () => {
    expect(usesSubnumbering('+4791234567', policy)).toBe(true);
    expect(usesSubnumbering('+4791234567', { ...policy, subnumberPool: [] })).toBe(false);
    expect(usesSubnumbering('+4691234567', policy)).toBe(false);
  });
});

describe('senders: numbers, Messaging Services, alphanumeric ids', () => {
  const MG = 'MG0123456789abcdef0123456789abcdef';
  const question = { elements: [{ id: 'q1', type: 'nps' }] } as never;
  const textOnly = { elements: [{ id: 't1', type: 'text' }] } as never;

  it('tells the kinds apart', () => {
    expect([senderType('+4759440000'), senderType(MG), senderType('ACME'), senderType('MG12')]).toEqual(['phone-number', 'messaging-service', 'alphanumeric', 'alphanumeric']);
    expect(Sender.safeParse(MG).success && Sender.safeParse('ACME').success && Sender.safeParse('+4759440000').success).toBe(true);
    expect(Sender.safeParse('ACME CORPORATION').success).toBe(false);
    expect(Sender.safeParse('12345678').success).toBe(false);
    expect(ReplyableSender.safeParse('ACME').success).toBe(false);
    expect(ReplyableSender.safeParse(MG).success).toBe(true);
  });

  it('refuses an alphanumeric sender for a survey that asks anything, and only then', () => {
    expect(surveyNeedsReplies(question)).toBe(true);
    expect(surveyNeedsReplies(textOnly)).toBe(false);
    expect(senderProblem('ACME', question)).toMatch(/alphanumeric sender "ACME" cannot receive replies/);
    expect(senderProblem('ACME', textOnly)).toBeUndefined();
    expect(senderProblem(MG, question)).toBeUndefined();
    expect(senderProblem('+4759440000', question)).toBeUndefined();
  });

  it('a Messaging Service is the default sender like a number; subnumbering still gives +47 customers pool numbers', () => {
    const mgPolicy = { ...policy, defaultSender: MG };
    expect(chooseSender('+14155550123', [session('a', MG, 3)], mgPolicy)).toEqual({ sender: MG, supersede: ['a'] });
    expect(chooseSender('+4791234567', [], mgPolicy)).toEqual({ sender: '+4759440001', supersede: [] });
  });
});

describe('replyLookup and replySender', () => {
  const policy = { defaultSender: '+14155550100', subnumberPool: ['+4759440001', '+4759440002'] };

  it('given a +47 customer texting a pool number, then that number identifies the session; any other number looks up by customer', () => {
    expect(replyLookup('+4791234567', '+4759440002', policy)).toEqual({ key: '+4791234567|+4759440002', customer: '+4791234567', sender: '+4759440002' });
    expect(replyLookup('+4791234567', '+14155550100', policy)).toEqual({ key: '+4791234567|', customer: '+4791234567', sender: null });
    expect(replyLookup('+14155601234', '+4759440001', policy).sender).toBeNull(); // no subnumbering outside +47
  });

  it('given a session sent through a Messaging Service, then the service answers; otherwise the number texted', () => {
    const service = 'MG' + 'a'.repeat(32);
    expect(replySender(service, '+14155550100')).toBe(service);
    expect(replySender('+14155550199', '+14155550100')).toBe('+14155550100');
    expect(replySender(undefined, '+14155550100')).toBe('+14155550100');
  });
});
