import type { SmsSendRequested } from '@sms-survey/contracts';
import type { BatchContext, ConsumedEvent } from '@sms-survey/kafka';
import { countSegments, nextToSend, type QueuedSms } from '@sms-survey/sms-domain';
import pLimit from 'p-limit';
import { StoppingError, type SendPacer } from './send-pacer.js';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

function bySender(commands: readonly SmsSendRequested[]): Map<string, SmsSendRequested[]> {
  const queues = new Map<string, SmsSendRequested[]>();
  for (const c of commands) queues.set(c.payload.from, [...(queues.get(c.payload.from) ?? []), c]);
  return queues;
}

const asQueued = (c: SmsSendRequested): QueuedSms => ({
  to: c.payload.to,
  priority: c.payload.priority,
  notBeforeMs: c.payload.notBefore ? Date.parse(c.payload.notBefore) : 0,
  spacingMs: (c.payload.spacingSeconds ?? 0) * 1000,
});

/**
 * Sends a batch of commands. Each sender's queue goes out at that sender's rate, replies first, each
 * customer's messages in order and spaced as asked (measured from when the previous one actually left); all
 * senders at once, with at most `maxConcurrentRequests` Twilio requests in flight for the whole process.
 */
export function createBatchDispatcher(deps: { pacer: SendPacer; maxConcurrentRequests: number; send: (command: SmsSendRequested) => Promise<void> }) {
  const limit = pLimit(deps.maxConcurrentRequests);
  /** When we last sent from a sender to a customer ("<from>|<to>"), for the spacing between survey SMS. */
  const lastSent = new Map<string, number>();

  async function sendQueue(sender: string, commands: SmsSendRequested[], signal: AbortSignal): Promise<void> {
    const queue: (QueuedSms | undefined)[] = commands.map(asQueued);
    const lastSentTo = new Map<string, number>();
    for (const c of commands) {
      const at = lastSent.get(`${sender}|${c.payload.to}`);
      if (at !== undefined) lastSentTo.set(c.payload.to, at);
    }
    for (;;) {
      if (signal.aborted) throw new StoppingError('dispatcher stopping');
      const next = nextToSend(queue, lastSentTo, Date.now());
      if ('done' in next) return;
      if ('waitMs' in next) {
        await sleep(next.waitMs, signal);
        continue;
      }
      const command = commands[next.index]!;
      const answered = await deps.pacer.acquire(sender, countSegments(command.payload.body).segments, signal);
      try {
        await limit(() => deps.send(command));
      } finally {
        answered();
      }
      const now = Date.now();
      queue[next.index] = undefined;
      lastSentTo.set(command.payload.to, now);
      lastSent.set(`${sender}|${command.payload.to}`, now);
    }
  }

  return async function dispatchBatch(messages: ConsumedEvent<SmsSendRequested>[], context: BatchContext): Promise<void> {
    // A slow sender's queue can take longer than the session timeout: keep the group membership alive.
    const heartbeat = setInterval(() => void context.heartbeat().catch(() => undefined), 3000);
    try {
      await Promise.all([...bySender(messages.map((m) => m.event))].map(([sender, queue]) => sendQueue(sender, queue, context.signal)));
    } finally {
      clearInterval(heartbeat);
    }
  };
}
