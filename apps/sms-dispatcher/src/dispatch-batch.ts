import { setMaxListeners } from 'node:events';
import type { SmsSendRequested } from '@sms-survey/contracts';
import type { BatchContext, ConsumedEvent } from '@sms-survey/kafka';
import { countSegments, SendOrder, type QueuedSms } from '@sms-survey/sms-domain';
import type { SendCommandHandler } from './send-command.handler.js';
import { sleep, StoppingError, type SendPacer } from './send-pacer.js';

/** Each sender's commands, in batch order; a command id seen twice in the batch (a redelivered copy) once. */
function bySender(messages: readonly ConsumedEvent<SmsSendRequested>[]): Map<string, SmsSendRequested[]> {
  const queues = new Map<string, SmsSendRequested[]>();
  const seen = new Set<string>();
  for (const { event } of messages) {
    if (seen.has(event.payload.commandId)) continue;
    seen.add(event.payload.commandId);
    const queue = queues.get(event.payload.from);
    if (queue) queue.push(event);
    else queues.set(event.payload.from, [event]);
  }
  return queues;
}

const asQueued = (c: SmsSendRequested): QueuedSms => ({
  to: c.payload.to,
  priority: c.payload.priority,
  notBeforeMs: c.payload.notBefore ? Date.parse(c.payload.notBefore) : 0,
  spacingMs: (c.payload.spacingSeconds ?? 0) * 1000,
});

/** The longest spacing a command may ask for (contracts: `spacingSeconds` ≤ 60): older send times are dropped. */
const SPACING_MEMORY_MS = 60_000;

/**
 * Sends a batch of commands. Each sender's queue goes out at that sender's rate, replies first, each
 * customer's messages in order and spaced as asked (measured from when the previous one actually left); all
 * senders at once, one message at a time per sender.
 *
 * The next command of a sender is claimed in the ledger as soon as it is chosen, while the sender waits for
 * its rate window, so the claim's round trip is not added to the time between two sends. A claim taken for a
 * send that is then not made (the dispatcher stops) is released.
 */
export function createBatchDispatcher(deps: { pacer: SendPacer; handler: SendCommandHandler }) {
  /** When we last sent from a sender to a customer ("<from>|<to>"), for the spacing between survey SMS. */
  const lastSent = new Map<string, number>();
  let prunedAt = Date.now();

  function forgetOldSends(now: number): void {
    if (now - prunedAt < SPACING_MEMORY_MS) return;
    prunedAt = now;
    for (const [key, at] of lastSent) if (at < now - SPACING_MEMORY_MS) lastSent.delete(key);
  }

  async function sendQueue(sender: string, commands: SmsSendRequested[], signal: AbortSignal, settled: Promise<void>[]): Promise<void> {
    const order = new SendOrder(commands.map(asQueued), (to) => lastSent.get(`${sender}|${to}`));
    const pace = (command: SmsSendRequested) => () => deps.pacer.acquire(sender, countSegments(command.payload.body).segments, signal);
    for (;;) {
      if (signal.aborted) throw new StoppingError('dispatcher stopping');
      const next = order.next(Date.now());
      if ('done' in next) return;
      if ('waitMs' in next) {
        await sleep(next.waitMs, signal);
        continue;
      }
      const command = commands[next.index]!;
      let result: { settled: Promise<void> };
      if (await deps.handler.claim(command.payload.commandId)) {
        let slot;
        try {
          slot = await pace(command)();
        } catch (error) {
          // Stopping before the request started: give the claim back, so the next owner need not wait for it.
          await deps.handler.release(command.payload.commandId).catch(() => undefined);
          throw error;
        }
        result = await deps.handler.sendClaimed(command, slot);
      } else {
        result = await deps.handler.settleUnclaimed(command, pace(command));
      }
      // The outcome is recorded and published in the background; the batch waits for it at its end.
      settled.push(result.settled);
      result.settled.catch(() => undefined);
      const now = Date.now();
      order.sent(next.index, now);
      lastSent.set(`${sender}|${command.payload.to}`, now);
    }
  }

  return async function dispatchBatch(messages: ConsumedEvent<SmsSendRequested>[], context: BatchContext): Promise<void> {
    // A slow sender's queue can take longer than the session timeout: keep the group membership alive.
    const heartbeat = setInterval(() => void context.heartbeat().catch(() => undefined), 3000);
    const settled: Promise<void>[] = [];
    // Every sender waiting for its window listens for the stop.
    setMaxListeners(0, context.signal);
    try {
      forgetOldSends(Date.now());
      // Every sender's queue runs to its end (or its first error) before the batch fails, so that no send of
      // this batch is still running when the consumer retries it.
      const queues = await Promise.allSettled([...bySender(messages)].map(([sender, queue]) => sendQueue(sender, queue, context.signal, settled)));
      const outcomes = await Promise.allSettled(settled);
      const failed = [...queues, ...outcomes].find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    } finally {
      clearInterval(heartbeat);
    }
  };
}
