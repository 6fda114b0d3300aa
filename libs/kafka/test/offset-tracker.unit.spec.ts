import { describe, expect, it } from 'vitest';
import { OffsetTracker } from '../src/offset-tracker.js';

describe('OffsetTracker', () => {
  it('commits up to the lowest unfinished offset, and one past the last when all are finished', () => {
    const t = new OffsetTracker();
    expect(t.commitPoint).toBeUndefined();
    for (const o of [10, 11, 12, 14]) expect(t.accept(o)).toBe(true);
    expect(t.commitPoint).toBe(10);
    t.finish(11);
    t.finish(14);
    expect(t.commitPoint).toBe(10);
    t.finish(10);
    expect(t.commitPoint).toBe(12);
    t.finish(12);
    expect(t.commitPoint).toBe(15);
    expect(t.inFlight).toBe(0);
  });

  it('refuses an offset at or below the last accepted (a refetch after a rebalance) and ignores unknown or repeated finishes', () => {
    const t = new OffsetTracker();
    t.accept(5);
    expect(t.accept(5)).toBe(false);
    expect(t.accept(3)).toBe(false);
    t.finish(4);
    t.finish(5);
    t.finish(5);
    expect(t.inFlight).toBe(0);
    expect(t.commitPoint).toBe(6);
  });

  it('matches a model on random finish orders over a long run (compaction included)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const t = new OffsetTracker();
    const open = new Set<number>();
    let next = 0;
    for (let step = 0; step < 20_000; step++) {
      if (open.size === 0 || random() < 0.55) {
        t.accept(next);
        open.add(next++);
      } else {
        const pick = [...open][Math.floor(random() * Math.min(open.size, 50))]!;
        open.delete(pick);
        t.finish(pick);
      }
      expect(t.commitPoint).toBe(open.size > 0 ? Math.min(...open) : next);
      expect(t.inFlight).toBe(open.size);
    }
  });
});
