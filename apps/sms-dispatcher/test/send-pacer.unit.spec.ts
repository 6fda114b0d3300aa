import { beforeEach, describe, expect, it } from 'vitest';
import { createSendPacer } from '../src/send-pacer.js';

const SENDER = '+14155550100'; // a US long code: 1 per second
// Each test's dispatcher took the sender's partition when the test started.
let takenOverAt = 0;
const TAKEN_OVER_NOW = () => takenOverAt;
beforeEach(() => {
  takenOverAt = Date.now();
});

describe('send pacer', () => {
  it('starts a sender full, then counts each send from when its request started, plus the margin', async () => {
    const pacer = createSendPacer({ configuredRates: {}, marginMs: 50 });
    const signal = new AbortController().signal;
    const started = Date.now();
    const first = await pacer.acquire(SENDER, 1, signal, TAKEN_OVER_NOW());
    // A new window is full: the first send waits a second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);

    // The request starts 300 ms after the send was let through (its claim, the concurrency limit): the next
    // send may go one second plus the margin after that start, however long the request then takes.
    await new Promise((r) => setTimeout(r, 300));
    const requestStarted = Date.now();
    first.started();
    const second = await pacer.acquire(SENDER, 1, signal, TAKEN_OVER_NOW());
    expect(Date.now() - requestStarted).toBeGreaterThanOrEqual(1040);
    expect(Date.now() - requestStarted).toBeLessThan(1300);
    second.started();
  });

  it('a request answered sooner than the margin counts from its answer', async () => {
    const pacer = createSendPacer({ configuredRates: {}, marginMs: 400 });
    const signal = new AbortController().signal;
    const first = await pacer.acquire(SENDER, 1, signal, TAKEN_OVER_NOW());
    first.started();
    await new Promise((r) => setTimeout(r, 100));
    const answeredAt = Date.now();
    first.answered();
    await pacer.acquire(SENDER, 1, signal, TAKEN_OVER_NOW());
    expect(Date.now() - answeredAt).toBeGreaterThanOrEqual(990);
    expect(Date.now() - answeredAt).toBeLessThan(1200);
  });

  it('a send given back (no request made) does not count', async () => {
    const pacer = createSendPacer({ configuredRates: {}, marginMs: 0 });
    const signal = new AbortController().signal;
    (await pacer.acquire(SENDER, 1, signal, TAKEN_OVER_NOW())).started(); // waits out the full first window
    const slot = await pacer.acquire(SENDER, 1, signal, TAKEN_OVER_NOW());
    slot.cancel();
    const at = Date.now();
    (await pacer.acquire(SENDER, 1, signal, TAKEN_OVER_NOW())).started();
    expect(Date.now() - at).toBeLessThan(50);
  });

  it('uses the configured rate, in segments, per sender', async () => {
    const pacer = createSendPacer({ configuredRates: { [SENDER]: 3 }, marginMs: 0 });
    const signal = new AbortController().signal;
    (await pacer.acquire(SENDER, 1, signal, TAKEN_OVER_NOW())).started(); // waits out the full first window
    const firstAt = Date.now();
    (await pacer.acquire(SENDER, 2, signal, TAKEN_OVER_NOW())).started();
    expect(Date.now() - firstAt).toBeLessThan(200); // 1 + 2 segments fit in 3 per second
    (await pacer.acquire(SENDER, 1, signal, TAKEN_OVER_NOW())).started();
    expect(Date.now() - firstAt).toBeGreaterThanOrEqual(990); // a fourth waits for the first to leave the window

    const other = Date.now();
    (await pacer.acquire('+4759440000', 1, signal, TAKEN_OVER_NOW())).started();
    expect(Date.now() - other).toBeLessThan(50); // a window of its own; its partition was taken over more than a second ago
  });

  it('a sender of a partition held for more than a second sends at once; a new holding starts full again', async () => {
    const pacer = createSendPacer({ configuredRates: {}, marginMs: 0 });
    const signal = new AbortController().signal;
    const longAgo = Date.now() - 5000;
    let at = Date.now();
    (await pacer.acquire(SENDER, 1, signal, longAgo)).started();
    expect(Date.now() - at).toBeLessThan(50);
    // Taken over again (after a rebalance): a full second counts from the takeover, on top of what this replica sent.
    await new Promise((r) => setTimeout(r, 1100));
    at = Date.now();
    (await pacer.acquire(SENDER, 1, signal, at)).started();
    expect(Date.now() - at).toBeGreaterThanOrEqual(950);
  });

  it('stops waiting when the dispatcher stops', async () => {
    const pacer = createSendPacer({ configuredRates: {}, marginMs: 0 });
    const stopping = new AbortController();
    const waiting = pacer.acquire(SENDER, 1, stopping.signal, Date.now());
    setTimeout(() => stopping.abort(), 50);
    await expect(waiting).rejects.toThrow('dispatcher stopping');
  });
});
