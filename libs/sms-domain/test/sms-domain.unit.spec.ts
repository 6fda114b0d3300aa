import { describe, expect, it } from 'vitest';
import { admit, countSegments, createRateWindow, messagesPerSecond, retime, senderKind, withdraw } from '../src/index.js';

describe('countSegments', () => {
  it.each([
    ['', 'GSM-7', 1],
    ['a'.repeat(160), 'GSM-7', 1],
    ['a'.repeat(161), 'GSM-7', 2],
    ['a'.repeat(306), 'GSM-7', 2],
    ['a'.repeat(307), 'GSM-7', 3],
    ['€'.repeat(80), 'GSM-7', 1],
    ['€'.repeat(81), 'GSM-7', 2],
    ['Hvor fornøyd var du? Svar med et tall fra 1 til 5', 'GSM-7', 1],
    ['ł'.repeat(70), 'UCS-2', 1],
    ['ł'.repeat(71), 'UCS-2', 2],
    ['ł'.repeat(134), 'UCS-2', 2],
    ['ł'.repeat(135), 'UCS-2', 3],
    ['😀'.repeat(35), 'UCS-2', 1],
    ['😀'.repeat(36), 'UCS-2', 2],
  ])('%# → %s, %i segment(s)', (body, encoding, segments) => {
    expect(countSegments(body)).toMatchObject({ encoding, segments });
  });
});

describe('sender rates', () => {
  it.each([
    ['+14155550100', 'us-ca-long-code', 1],
    ['+18005550100', 'toll-free', 3],
    ['+18885550100', 'toll-free', 3],
    ['12345', 'short-code', 100],
    ['+4759440000', 'international-long-code', 10],
    ['ACME', 'alphanumeric', 10],
    ['MG0123456789abcdef0123456789abcdef', 'messaging-service', 1],
    ['MGFFFF', 'alphanumeric', 10],
  ])('%s is a %s at %i/s', (sender, kind, rate) => {
    expect(senderKind(sender)).toBe(kind);
    expect(messagesPerSecond(sender)).toBe(rate);
  });
  it('a configured rate wins', () => {
    expect(messagesPerSecond('+14155550100', { '+14155550100': 30 })).toBe(30);
  });
  it('a Messaging Service has one rate for the whole service, overridable per sid', () => {
    const sid = 'MG0123456789abcdef0123456789abcdef';
    expect(messagesPerSecond(sid, { MGffffffffffffffffffffffffffffffff: 50 })).toBe(1);
    expect(messagesPerSecond(sid, { [sid]: 25 })).toBe(25);
  });
});

describe('rate window', () => {
  it.each([1, 3, 10, 100])('at %i/s: never more than the limit in any one-second window, even after idling, and the whole limit used', (rate) => {
    let window = createRateWindow(rate, 0);
    const sentAt: number[] = [];
    // Busy for 3 s, idle for 5 s, busy again; the sender wakes every millisecond.
    for (let now = 0; now <= 12_000; now += 1) {
      if (now > 3000 && now < 8000) continue;
      const r = admit(window, 1, now);
      window = r.window;
      if (r.waitMs === 0) sentAt.push(now);
    }
    for (const t of sentAt) expect(sentAt.filter((s) => s >= t && s < t + 1000).length).toBeLessThanOrEqual(rate);
    expect(sentAt.filter((s) => s >= 8000 && s < 12_000).length).toBe(4 * rate);
  });

  it('counts segments, and says how long to wait', () => {
    let w = createRateWindow(3, 0);
    w = admit(w, 2, 0).window;
    const r = admit(w, 2, 400);
    expect(r.waitMs).toBe(600);
    expect(admit(r.window, 1, 400).waitMs).toBe(0);
  });

  it('a window that starts full waits a second before the first send', () => {
    const w = createRateWindow(10, 5000, { startFull: true });
    expect(admit(w, 1, 5500).waitMs).toBe(500);
    expect(admit(w, 1, 6000).waitMs).toBe(0);
  });

  it('a message longer than the limit goes alone in its window', () => {
    const w = createRateWindow(1, 0);
    const first = admit(w, 3, 0);
    expect(first.waitMs).toBe(0);
    expect(admit(first.window, 1, 999).waitMs).toBe(1);
  });

  it('a send counted from later (its request started later, plus a margin) holds the next one back until then', () => {
    const first = admit(createRateWindow(1, 0), 1, 0);
    const moved = retime(first.window, first.send!, 300);
    expect(admit(moved.window, 1, 1000).waitMs).toBe(300);
    expect(admit(moved.window, 1, 1300).waitMs).toBe(0);
    // Answered sooner than that: counted from the answer.
    expect(admit(retime(moved.window, moved.send, 100).window, 1, 1000).waitMs).toBe(100);
  });

  it('keeps the window oldest first when a send is moved past later ones', () => {
    let w = createRateWindow(3, 0);
    const a = admit(w, 1, 0);
    const b = admit(a.window, 1, 100);
    w = retime(b.window, a.send!, 200).window;
    expect(w.sends.map((s) => s.atMs)).toEqual([100, 200]);
  });

  it('a send taken back frees its place', () => {
    const first = admit(createRateWindow(1, 0), 1, 0);
    expect(admit(first.window, 1, 10).waitMs).toBe(990);
    expect(admit(withdraw(first.window, first.send!), 1, 10).waitMs).toBe(0);
  });
});
