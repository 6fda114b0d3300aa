import { describe, expect, it } from 'vitest';
import { chooseSender, usesSubnumbering } from '../src/index.js';

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
