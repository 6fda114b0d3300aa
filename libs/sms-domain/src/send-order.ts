/**
 * The order one sender's queue is sent in. Each customer's messages keep their order; a message is ready at
 * its `notBefore` and `spacingMs` after the previous message to the same customer actually left. Among the
 * ready ones, replies go before first questions of new surveys, then arrival order.
 */
export interface QueuedSms {
  to: string;
  priority: 'reply' | 'new-survey';
  notBeforeMs: number;
  spacingMs: number;
}

export type NextSend = { index: number } | { waitMs: number } | { done: true };

const RANK = { reply: 0, 'new-survey': 1 } as const;

/**
 * The rule itself, as a scan of the whole queue (`undefined` = sent). Quadratic when used for every send of a
 * long queue; `SendOrder` below gives the same answers in O(log n) per send and is what the dispatcher uses.
 */
export function nextToSend(queue: readonly (QueuedSms | undefined)[], lastSentMs: ReadonlyMap<string, number>, nowMs: number): NextSend {
  const seen = new Set<string>();
  let best: { index: number; rank: number } | undefined;
  let earliest = Infinity;
  for (let i = 0; i < queue.length; i++) {
    const sms = queue[i];
    if (!sms || seen.has(sms.to)) continue; // sent already, or not this customer's next message
    seen.add(sms.to);
    const readyAt = Math.max(sms.notBeforeMs, (lastSentMs.get(sms.to) ?? -Infinity) + sms.spacingMs);
    if (readyAt <= nowMs) {
      if (!best || RANK[sms.priority] < best.rank) best = { index: i, rank: RANK[sms.priority] };
    } else {
      earliest = Math.min(earliest, readyAt);
    }
  }
  if (best) return { index: best.index };
  if (earliest < Infinity) return { waitMs: earliest - nowMs };
  return { done: true };
}

/** A binary min-heap of queue indexes ordered by `key(index)`. */
class IndexHeap {
  private readonly items: number[] = [];
  constructor(private readonly key: (index: number) => number) {}
  get size(): number {
    return this.items.length;
  }
  peek(): number | undefined {
    return this.items[0];
  }
  push(index: number): void {
    const a = this.items;
    let i = a.push(index) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.key(a[parent]!) <= this.key(index)) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = index;
  }
  pop(): number | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const child = r < a.length && this.key(a[r]!) < this.key(a[l]!) ? r : l;
      if (this.key(a[child]!) >= this.key(last)) break;
      a[i] = a[child]!;
      i = child;
    }
    a[i] = last;
    return top;
  }
}

/**
 * `nextToSend` for a whole queue, incrementally: only each customer's next message is a candidate, held in a
 * heap by the time it becomes ready until then, and in a heap by arrival (one per priority) once ready.
 * `next` says what to send (or how long to wait); `sent` records that the message `next` named has left.
 */
export class SendOrder {
  /** For each message, the index of the same customer's next message (-1: none). */
  private readonly following: Int32Array;
  private readonly readyAt: Float64Array;
  private readonly waiting: IndexHeap;
  private readonly ready: [IndexHeap, IndexHeap];
  private remaining: number;

  constructor(private readonly queue: readonly QueuedSms[], lastSentMs: (to: string) => number | undefined) {
    const n = queue.length;
    this.following = new Int32Array(n).fill(-1);
    this.readyAt = new Float64Array(n);
    this.waiting = new IndexHeap((i) => this.readyAt[i]!);
    this.ready = [new IndexHeap((i) => i), new IndexHeap((i) => i)];
    this.remaining = n;
    const lastOf = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const to = queue[i]!.to;
      const previous = lastOf.get(to);
      lastOf.set(to, i);
      if (previous !== undefined) this.following[previous] = i;
      else this.enqueue(i, lastSentMs(to));
    }
  }

  private enqueue(index: number, lastSentMs: number | undefined): void {
    const sms = this.queue[index]!;
    this.readyAt[index] = Math.max(sms.notBeforeMs, (lastSentMs ?? -Infinity) + sms.spacingMs);
    this.waiting.push(index);
  }

  next(nowMs: number): NextSend {
    for (let i = this.waiting.peek(); i !== undefined && this.readyAt[i]! <= nowMs; i = this.waiting.peek()) {
      this.waiting.pop();
      this.ready[RANK[this.queue[i]!.priority]].push(i);
    }
    const best = this.ready[0].peek() ?? this.ready[1].peek();
    if (best !== undefined) return { index: best };
    const earliest = this.waiting.peek();
    if (earliest !== undefined) return { waitMs: this.readyAt[earliest]! - nowMs };
    return { done: true };
  }

  /** The message `next` returned has left at `atMs`: that customer's next message becomes a candidate. */
  sent(index: number, atMs: number): void {
    const heap = this.ready[RANK[this.queue[index]!.priority]];
    if (heap.peek() !== index) throw new Error(`message ${index} is not the next to send`);
    heap.pop();
    this.remaining -= 1;
    const following = this.following[index]!;
    if (following >= 0) this.enqueue(following, atMs);
  }

  get size(): number {
    return this.remaining;
  }
}
