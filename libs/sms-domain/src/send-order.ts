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
 * `nextToSend` for a queue that grows while it is sent, incrementally: only each customer's next message is a
 * candidate, held in a heap by the time it becomes ready until then, and in a heap by arrival (one per
 * priority) once ready. Messages are named by the id `push` returns (arrival order).
 *
 * `next` says what to send (or how long to wait); `take` marks the message it named as on its way, so that
 * the next one can be chosen while it travels (that customer's following message waits for it); `sent` records
 * when it left, `postpone` puts it back to be tried again later, still ahead of the customer's later messages.
 */
export class SendOrder {
  private readonly entries = new Map<number, { sms: QueuedSms; readyAt: number }>();
  /** Each customer's messages not yet taken, after the one that is a candidate or on its way. */
  private readonly later = new Map<string, number[]>();
  /** Customers with a candidate or a message on its way: their later messages are in `later`. */
  private readonly busy = new Set<string>();
  private readonly waiting = new IndexHeap((id) => this.entries.get(id)!.readyAt);
  private readonly ready: [IndexHeap, IndexHeap] = [new IndexHeap((id) => id), new IndexHeap((id) => id)];
  private nextId = 0;

  constructor(private readonly lastSentMs: (to: string) => number | undefined = () => undefined) {}

  /** Adds a message at the end of the queue; returns its id. */
  push(sms: QueuedSms): number {
    const id = this.nextId++;
    this.entries.set(id, { sms, readyAt: 0 });
    if (this.busy.has(sms.to)) {
      const queue = this.later.get(sms.to);
      if (queue) queue.push(id);
      else this.later.set(sms.to, [id]);
    } else {
      this.busy.add(sms.to);
      this.enqueue(id, this.lastSentMs(sms.to));
    }
    return id;
  }

  private enqueue(id: number, lastSentMs: number | undefined): void {
    const entry = this.entries.get(id)!;
    entry.readyAt = Math.max(entry.sms.notBeforeMs, (lastSentMs ?? -Infinity) + entry.sms.spacingMs);
    this.waiting.push(id);
  }

  next(nowMs: number): NextSend {
    for (let id = this.waiting.peek(); id !== undefined && this.entries.get(id)!.readyAt <= nowMs; id = this.waiting.peek()) {
      this.waiting.pop();
      this.ready[RANK[this.entries.get(id)!.sms.priority]].push(id);
    }
    const best = this.ready[0].peek() ?? this.ready[1].peek();
    if (best !== undefined) return { index: best };
    const earliest = this.waiting.peek();
    if (earliest !== undefined) return { waitMs: this.entries.get(earliest)!.readyAt - nowMs };
    return { done: true };
  }

  /** The message `next` named is on its way: it is no longer a candidate. */
  take(id: number): QueuedSms {
    const entry = this.entries.get(id);
    const heap = entry && this.ready[RANK[entry.sms.priority]];
    if (!entry || heap!.peek() !== id) throw new Error(`message ${id} is not the next to send`);
    heap!.pop();
    return entry.sms;
  }

  /** A taken message left at `atMs`: that customer's next message becomes a candidate. */
  sent(id: number, atMs: number): void {
    const entry = this.entries.get(id);
    if (!entry) throw new Error(`message ${id} is not queued`);
    this.entries.delete(id);
    const queue = this.later.get(entry.sms.to);
    const following = queue?.shift();
    if (queue && queue.length === 0) this.later.delete(entry.sms.to);
    if (following === undefined) this.busy.delete(entry.sms.to);
    else this.enqueue(following, atMs);
  }

  /** A taken message could not go now: it is a candidate again from `untilMs`, still before the customer's later ones. */
  postpone(id: number, untilMs: number): void {
    const entry = this.entries.get(id);
    if (!entry) throw new Error(`message ${id} is not queued`);
    entry.readyAt = untilMs;
    this.waiting.push(id);
  }

  /** Messages pushed and not yet sent (candidates, on their way, and waiting behind them). */
  get size(): number {
    return this.entries.size;
  }
}
