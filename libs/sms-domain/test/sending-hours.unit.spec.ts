import { describe, expect, it } from 'vitest';
import { SendingHours, nextSendTime, type SendingHoursInput } from '../src/index.js';

// Given a moment and the recipient's candidate time zones, when an SMS is due, then it goes at the first moment
// inside the sending hours in every candidate zone.

const hours = (input: SendingHoursInput) => SendingHours.parse(input);
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const TCPA = hours({ start: '08:00', end: '21:00' });

describe('nextSendTime', () => {
  it('inside the window: at once', () => {
    expect(iso(nextSendTime(at('2026-12-01T12:00:00Z'), ['Europe/Oslo'], TCPA))).toBe('2026-12-01T12:00:00.000Z');
  });

  it('a survey triggered at 23:30 in Oslo waits until 08:00 there the next morning', () => {
    // 23:30 CET = 22:30 UTC; 08:00 CET = 07:00 UTC.
    expect(iso(nextSendTime(at('2026-12-01T22:30:00Z'), ['Europe/Oslo'], TCPA))).toBe('2026-12-02T07:00:00.000Z');
  });

  it('early morning: later the same day; the end is exclusive', () => {
    expect(iso(nextSendTime(at('2026-12-02T05:59:59.250Z'), ['Europe/Oslo'], TCPA))).toBe('2026-12-02T07:00:00.000Z');
    expect(iso(nextSendTime(at('2026-12-02T20:00:00Z'), ['Europe/Oslo'], TCPA))).toBe('2026-12-03T07:00:00.000Z'); // 21:00 local
  });

  it('in the recipient\'s zone, not ours: 20:30 in New York is 17:30 in Los Angeles', () => {
    const moment = at('2026-12-02T01:30:00Z'); // 20:30 New York, 17:30 Los Angeles
    expect(nextSendTime(moment, ['America/Los_Angeles'], TCPA)).toBe(moment);
    expect(iso(nextSendTime(at('2026-12-02T02:30:00Z'), ['America/New_York'], TCPA))).toBe('2026-12-02T13:00:00.000Z');
  });

  it('an ambiguous number takes the most restrictive reading: inside the window in every candidate zone', () => {
    // 07:30 in Chicago is 08:30 in New York: New York alone would allow it, the pair does not until 08:00 Chicago.
    expect(iso(nextSendTime(at('2026-12-02T13:30:00Z'), ['America/New_York', 'America/Chicago'], TCPA))).toBe('2026-12-02T14:00:00.000Z');
    // 20:30 in New York is 19:30 in Chicago: closed at 21:00 New York although Chicago would still be open.
    expect(iso(nextSendTime(at('2026-12-03T02:15:00Z'), ['America/New_York', 'America/Chicago'], TCPA))).toBe('2026-12-03T14:00:00.000Z');
  });

  it('candidates with no moment in common (Guam to Hawaii) drop the extremes until they have one', () => {
    const zones = ['Pacific/Guam', 'America/New_York', 'America/Chicago', 'Pacific/Honolulu'];
    const sent = nextSendTime(at('2026-12-02T03:00:00Z'), zones, TCPA);
    expect(nextSendTime(sent, ['America/New_York', 'America/Chicago'], TCPA)).toBe(sent);
  });

  it('skips days not listed and local holidays', () => {
    const weekdays = hours({ start: '09:00', end: '17:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'], holidays: ['2026-12-07'] });
    // Friday 4 December 2026, 18:00 in Oslo → Monday 7 is a holiday → Tuesday 8 December 09:00 (08:00 UTC).
    expect(iso(nextSendTime(at('2026-12-04T17:00:00Z'), ['Europe/Oslo'], weekdays))).toBe('2026-12-08T08:00:00.000Z');
  });

  it('across a daylight-saving change the wall-clock opening holds', () => {
    // Europe switched to summer time on 29 March 2026: 08:00 that morning is 06:00 UTC, the day before 07:00 UTC.
    expect(iso(nextSendTime(at('2026-03-28T22:00:00Z'), ['Europe/Oslo'], TCPA))).toBe('2026-03-29T06:00:00.000Z');
  });

  it('seconds in the window, and an unknown zone leaves the time as it is', () => {
    const narrow = hours({ start: '12:00:05', end: '12:00:10' });
    expect(iso(nextSendTime(at('2026-12-01T11:00:00Z'), ['Europe/Oslo'], narrow))).toBe('2026-12-01T11:00:05.000Z');
    expect(nextSendTime(123, [], TCPA)).toBe(123);
  });

  it('refuses a window that ends before it starts', () => {
    expect(SendingHours.safeParse({ start: '21:00', end: '08:00' }).success).toBe(false);
    expect(SendingHours.safeParse({ start: '8:00', end: '21:00' }).success).toBe(false);
  });
});
