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
