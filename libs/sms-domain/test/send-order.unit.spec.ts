import { describe, expect, it } from 'vitest';
import { nextToSend, SendOrder, type QueuedSms } from '../src/index.js';

const sms = (to: string, priority: QueuedSms['priority'] = 'reply', notBeforeMs = 0, spacingMs = 0): QueuedSms => ({ to, priority, notBeforeMs, spacingMs });

describe('nextToSend', () => {
  it('keeps arrival order among equals', () => {
    expect(nextToSend([sms('a'), sms('b')], new Map(), 0)).toEqual({ index: 0 });
  });
  it('sends replies before first questions of new surveys', () => {
    expect(nextToSend([sms('a', 'new-survey'), sms('b', 'new-survey'), sms('c', 'reply')], new Map(), 0)).toEqual({ index: 2 });
  });
  it("keeps one customer's messages in order: a later reply does not overtake that customer's earlier message", () => {
    expect(nextToSend([sms('a', 'new-survey'), sms('a', 'reply')], new Map(), 0)).toEqual({ index: 0 });
  });
  it('holds a message until its time and the spacing after the previous one, and lets others go meanwhile', () => {
    const queue = [undefined, sms('a', 'new-survey', 0, 2000), sms('b', 'new-survey')];
    expect(nextToSend(queue, new Map([['a', 1000]]), 1500)).toEqual({ index: 2 });
    expect(nextToSend([undefined, queue[1], undefined], new Map([['a', 1000]]), 1500)).toEqual({ waitMs: 1500 });
    expect(nextToSend([sms('a', 'reply', 5000)], new Map(), 1000)).toEqual({ waitMs: 4000 });
  });
  it('is done when everything was sent', () => {
    expect(nextToSend([undefined, undefined], new Map(), 0)).toEqual({ done: true });
  });
});

describe('SendOrder', () => {
  it('gives the same answers as nextToSend, send after send, on random queues', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let run = 0; run < 200; run++) {
      const length = 1 + Math.floor(random() * 30);
      const queue = Array.from({ length }, () =>
        sms(`c${Math.floor(random() * 6)}`, random() < 0.5 ? 'reply' : 'new-survey', random() < 0.3 ? Math.floor(random() * 5000) : 0, random() < 0.3 ? 2000 : 0),
      );
      const lastSent = new Map([['c1', 500]]);
      const order = new SendOrder(queue, (to) => lastSent.get(to));
      const reference: (QueuedSms | undefined)[] = [...queue];
      for (let now = 0, steps = 0; steps < 200; steps++) {
        const expected = nextToSend(reference, lastSent, now);
        expect(order.next(now)).toEqual(expected);
        if ('done' in expected) break;
        if ('waitMs' in expected) {
          now += expected.waitMs;
          continue;
        }
        order.sent(expected.index, now);
        lastSent.set(reference[expected.index]!.to, now);
        reference[expected.index] = undefined;
        now += Math.floor(random() * 700);
      }
      expect(order.size).toBe(0);
    }
  });

  it('refuses to record a send it did not name', () => {
    const order = new SendOrder([sms('a'), sms('b')], () => undefined);
    expect(order.next(0)).toEqual({ index: 0 });
    expect(() => order.sent(1, 0)).toThrow();
  });
});
