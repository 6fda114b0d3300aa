import { describe, expect, it } from 'vitest';
import { nextToSend, type QueuedSms } from '../src/index.js';

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
