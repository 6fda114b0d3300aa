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
  it('gives the same answers as nextToSend, send after send, on random queues that grow while they are sent', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const randomSms = () =>
      sms(`c${Math.floor(random() * 6)}`, random() < 0.5 ? 'reply' : 'new-survey', random() < 0.3 ? Math.floor(random() * 5000) : 0, random() < 0.3 ? 2000 : 0);
    for (let run = 0; run < 200; run++) {
      const lastSent = new Map([['c1', 500]]);
      const order = new SendOrder((to) => lastSent.get(to));
      const reference: (QueuedSms | undefined)[] = [];
      const push = (m: QueuedSms) => {
        expect(order.push(m)).toBe(reference.length);
        reference.push(m);
      };
      const initial = Math.floor(random() * 30);
      for (let i = 0; i < initial; i++) push(randomSms());
      let arrivals = Math.floor(random() * 10);
      for (let now = 0, steps = 0; steps < 300; steps++) {
        if (arrivals > 0 && random() < 0.2) {
          push(randomSms());
          arrivals--;
        }
        const expected = nextToSend(reference, lastSent, now);
        expect(order.next(now)).toEqual(expected);
        if ('done' in expected) {
          if (arrivals === 0) break;
          now += 100;
          continue;
        }
        if ('waitMs' in expected) {
          now += Math.min(expected.waitMs, 100 + Math.floor(random() * 1000));
          continue;
        }
        const taken = order.take(expected.index);
        expect(taken.to).toBe(reference[expected.index]!.to);
        if (random() < 0.1) {
          // It could not go now (e.g. another dispatcher still owns it): tried again later, still first for its customer.
          order.postpone(expected.index, now + 300);
          reference[expected.index] = { ...taken, notBeforeMs: Math.max(taken.notBeforeMs, now + 300) };
          continue;
        }
        order.sent(expected.index, now);
        lastSent.set(taken.to, now);
        reference[expected.index] = undefined;
        now += Math.floor(random() * 700);
      }
      expect(order.size).toBe(0);
    }
  });

  it('chooses the next message while one is on its way, but not the same customer\'s', () => {
    const order = new SendOrder();
    order.push(sms('a'));
    order.push(sms('a'));
    order.push(sms('b'));
    expect(order.next(0)).toEqual({ index: 0 });
    order.take(0);
    expect(order.next(0)).toEqual({ index: 2 });
    order.take(2);
    expect(order.next(0)).toEqual({ done: true });
    order.sent(0, 10);
    expect(order.next(10)).toEqual({ index: 1 });
    expect(order.size).toBe(2);
  });

  it('refuses to take a message it did not name', () => {
    const order = new SendOrder();
    order.push(sms('a'));
    order.push(sms('b'));
    expect(order.next(0)).toEqual({ index: 0 });
    expect(() => order.take(1)).toThrow();
  });
});
