import { describe, expect, it } from 'vitest';
import { createSendPacer } from '../src/send-pacer.js';

const SENDER = '+14155550100'; // a US long code: 1 per second

describe('send pacer', () => {
  it('starts a sender full, then counts each send from when it was answered, not from when it was let through', async () => {
    const pacer = createSendPacer({ configuredRates: {} });
    const signal = new AbortController().signal;
    const started = Date.now();
    const firstAnswered = await pacer.acquire(SENDER, 1, signal);
    const letThrough = Date.now();
    // A new window is full: the first send waits a second.
    expect(letThrough - started).toBeGreaterThanOrEqual(950);

    // The request takes 300 ms to be answered: the next send may go one second after the answer.
    await new Promise((r) => setTimeout(r, 300));
    const answeredAt = Date.now();
    firstAnswered();
    const second = await pacer.acquire(SENDER, 1, signal);
    expect(Date.now() - answeredAt).toBeGreaterThanOrEqual(990);
    second();
  });

  it('uses the configured rate, in segments, per sender', async () => {
    const pacer = createSendPacer({ configuredRates: { [SENDER]: 3 } });
    const signal = new AbortController().signal;
    (await pacer.acquire(SENDER, 1, signal))(); // waits out the full first window
    const firstAt = Date.now();
    (await pacer.acquire(SENDER, 2, signal))();
    expect(Date.now() - firstAt).toBeLessThan(200); // 1 + 2 segments fit in 3 per second
    (await pacer.acquire(SENDER, 1, signal))();
    expect(Date.now() - firstAt).toBeGreaterThanOrEqual(990); // a fourth waits for the first to leave the window

    const other = Date.now();
    (await pacer.acquire('+4759440000', 1, signal))();
    expect(Date.now() - other).toBeGreaterThanOrEqual(950); // a sender of its own, starting full
  });

  it('stops waiting when the dispatcher stops', async () => {
    const pacer = createSendPacer({ configuredRates: {} });
    const stopping = new AbortController();
    const waiting = pacer.acquire(SENDER, 1, stopping.signal);
    setTimeout(() => stopping.abort(), 50);
    await expect(waiting).rejects.toThrow('dispatcher stopping');
  });
});
