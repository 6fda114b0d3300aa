import { context, type Context } from '@opentelemetry/api';
import type { SmsSendRequested } from '@sms-survey/contracts';
import { isTransientDatabaseError } from '@sms-survey/db';
import { PartitionLostError, PermanentError, describeError, retryFlag, type ConsumedEvent, type PartitionContext } from '@sms-survey/kafka';
import { countSegments, senderKind, SendOrder, type QueuedSms } from '@sms-survey/sms-domain';
import type { Logger } from 'pino';
import { Histogram, type Registry } from 'prom-client';
import type { PartitionLeases } from './partition-leases.js';
import type { SendCommandHandler } from './send-command.handler.js';
import { StoppingError, type SendPacer, type SendSlot } from './send-pacer.js';

const asQueued = (c: SmsSendRequested): QueuedSms => ({
  to: c.payload.to,
  priority: c.payload.priority,
  notBeforeMs: c.payload.notBefore ? Date.parse(c.payload.notBefore) : 0,
  spacingMs: (c.payload.spacingSeconds ?? 0) * 1000,
});

/** The longest spacing a command may ask for (contracts: `spacingSeconds` ≤ 60): older send times are dropped. */
const SPACING_MEMORY_MS = 60_000;

interface Pending {
  command: SmsSendRequested;
  resolve: () => void;
  reject: (error: unknown) => void;
  failures: number;
  /** Claimed or being claimed: it settles on its own, even when the lane closes. */
  onItsWay: boolean;
  /**
   * The trace context the command was consumed in: its send runs in it (the lane runs outside the consumer's
   * handler call), so the Twilio request's span is a child of the command's consumer span.
   */
  context: Context;
  /** When it could have gone, were it not for its sender's rate: consumed, or its `notBefore` (ms). */
  readyAtMs: number;
  /** Its wait for the sender's rate window is measured once, at its first slot. */
  waitMeasured: boolean;
}

/** One sender's commands on this replica, for one holding of its partition. */
interface Lane {
  sender: string;
  partition: PartitionContext;
  order: SendOrder;
  pending: Map<number, Pending>;
  running: boolean;
  /** Ends the lane's current `sleep` early (a command arrived or settled). */
  wake: () => void;
  sleep: (ms: number) => Promise<void>;
  /** Removes the lane's listener on the partition's signal (a lane that ran empty is dropped). */
  retire: () => void;
}

/**
 * The dispatcher's work: one lane per sender, each sending its own queue at its own rate, all at once and
 * independently, so no sender waits for another's backlog. Commands arrive as they are consumed (the
 * consumer's concurrent mode) and each resolves when its send is settled (sent or failed for good, recorded,
 * result published), which lets the consumer commit past it.
 *
 * In a lane: the next command (replies first, each customer's messages in order and spaced as asked,
 * measured from when the previous one left) waits for the sender's rate window, is claimed in the send ledger
 * under the partition's lease, and is sent; the lane chooses the next one while that request travels, so a
 * sender's rate is not bounded by Twilio's round trip. Claims of many lanes share one statement.
 *
 * A command that cannot go now (the database is down, another replica's send of it is still unsettled) is
 * tried again later, still ahead of its customer's later messages. When the partition's holding ends (a
 * rebalance, the consumer stops) a lane gives up what it has not started; a fenced claim (another replica
 * holds the partition now) ends the lane with `PartitionLostError`.
 */
export function createSenderLanes(deps: {
  pacer: SendPacer;
  handler: SendCommandHandler;
  leases: PartitionLeases;
  logger: Logger;
  /** Failures of a command that do not say they are temporary before it is dead-lettered. */
  maxAttempts?: number;
  retryBaseMs?: number;
  /** For `sms_rate_limit_wait_seconds` (docs/observability.md). */
  registry?: Registry;
}) {
  const rateLimitWait = deps.registry
    ? new Histogram({
        name: 'sms_rate_limit_wait_seconds',
        help: "How long a command waited for its sender's rate window (and the queue ahead of it), from when it could have gone, by sender type",
        labelNames: ['sender_type'] as const,
        buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900],
        registers: [deps.registry],
      })
    : undefined;
  const lanes = new Map<string, Lane>();
  /** The lanes of each partition holding (a new holding, after a rebalance, is a new context). */
  const lanesOf = new Map<PartitionContext, Set<Lane>>();
  /** When we last sent from a sender to a customer ("<from>|<to>"), for the spacing between survey SMS. */
  const lastSent = new Map<string, number>();
  let prunedAt = Date.now();
  const maxAttempts = deps.maxAttempts ?? 5;
  const retryBaseMs = deps.retryBaseMs ?? 500;

  function forgetOldSends(now: number): void {
    if (now - prunedAt < SPACING_MEMORY_MS) return;
    prunedAt = now;
    for (const [key, at] of lastSent) if (at < now - SPACING_MEMORY_MS) lastSent.delete(key);
  }

  function openLane(sender: string, partition: PartitionContext): Lane {
    let wakeUp: (() => void) | undefined;
    const lane: Lane = {
      sender,
      partition,
      order: new SendOrder((to) => lastSent.get(`${sender}|${to}`)),
      pending: new Map(),
      running: false,
      wake: () => wakeUp?.(),
      // Ended early by `wake` (a command arrived or settled, or the lane closed), not by a listener of its own.
      sleep: (ms) =>
        new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            wakeUp = undefined;
            resolve();
          };
          const timer = setTimeout(done, Math.max(0, ms));
          wakeUp = done;
        }),
      retire: () => {
        lanesOf.get(partition)?.delete(lane);
        if (lanes.get(sender) === lane) lanes.delete(sender);
      },
    };
    // One listener per partition holding, however many senders it has: it closes them all.
    let held = lanesOf.get(partition);
    if (!held) {
      const group = new Set<Lane>();
      held = group;
      lanesOf.set(partition, group);
      partition.signal.addEventListener('abort', () => {
        lanesOf.delete(partition);
        for (const l of group) closeLane(l, new StoppingError('partition no longer held'));
      }, { once: true });
    }
    held.add(lane);
    lanes.set(sender, lane);
    return lane;
  }

  /** Gives up every command of the lane not on its way; those on their way still settle. */
  function closeLane(lane: Lane, reason: Error): void {
    if (lanes.get(lane.sender) === lane) lanes.delete(lane.sender);
    lanesOf.get(lane.partition)?.delete(lane);
    for (const [id, pending] of lane.pending) {
      if (pending.onItsWay) continue;
      lane.pending.delete(id);
      pending.reject(reason);
    }
    lane.wake();
  }

  async function run(lane: Lane): Promise<void> {
    lane.running = true;
    try {
      for (;;) {
        if (lane.partition.signal.aborted || lanes.get(lane.sender) !== lane) return;
        const now = Date.now();
        const next = lane.order.next(now);
        if ('done' in next) {
          if (lane.order.size === 0) {
            lane.retire();
            return;
          }
          await lane.sleep(60_000); // everything left is on its way or behind it: woken when one settles
          continue;
        }
        if ('waitMs' in next) {
          await lane.sleep(next.waitMs);
          continue;
        }
        const lease = deps.leases.of(lane.partition.topic, lane.partition.partition);
        if (!lease) {
          closeLane(lane, new PartitionLostError(`no lease on ${lane.partition.topic}[${lane.partition.partition}]`));
          return;
        }
        // Wait for the window first and choose then: what arrived meanwhile (a reply) is considered.
        try {
          await deps.pacer.room(lane.sender, lane.partition.signal, lease.heldSinceMs);
        } catch {
          return; // the holding ended: closeLane gave the commands up
        }
        const chosen = lane.order.next(Date.now());
        if (!('index' in chosen)) continue;
        const sms = lane.order.take(chosen.index);
        const pending = lane.pending.get(chosen.index)!;
        const segments = countSegments(pending.command.payload.body).segments;
        let slot;
        try {
          slot = await deps.pacer.acquire(lane.sender, segments, lane.partition.signal, lease.heldSinceMs);
        } catch {
          return; // the holding ended while waiting for the window: closeLane gave the commands up
        }
        pending.onItsWay = true;
        if (!pending.waitMeasured) {
          pending.waitMeasured = true;
          rateLimitWait?.observe({ sender_type: senderKind(lane.sender) }, Math.max(0, Date.now() - pending.readyAtMs) / 1000);
        }
        // The next send is let through only once this one's request has started: a send waiting for a request
        // slot (TWILIO_MAX_CONCURRENT_REQUESTS, shared by every sender) could otherwise age out of the window
        // and let others through, and then all start together, more in a second at Twilio than the rate.
        let markStarted = () => {};
        const started = new Promise<void>((resolve) => (markStarted = resolve));
        const gated: SendSlot = {
          started: () => {
            slot.started();
            markStarted();
          },
          answered: () => slot.answered(),
          cancel: () => {
            slot.cancel();
            markStarted();
          },
        };
        // In the command's own trace context: this loop runs in whichever context started the lane.
        void context.with(pending.context, send, undefined, lane, chosen.index, sms, pending, gated, lease.epoch, lease.heldSinceMs).finally(markStarted);
        await started;
      }
    } finally {
      lane.running = false;
    }
  }

  async function send(lane: Lane, id: number, sms: QueuedSms, pending: Pending, slot: SendSlot, epoch: string, heldSinceMs: number): Promise<void> {
    const { command } = pending;
    const { signal, topic, partition } = lane.partition;
    try {
      const claim = await deps.handler.claim({ commandId: command.payload.commandId, fence: { topic, partition, epoch } });
      if (claim === 'fenced') {
        slot.cancel();
        throw new PartitionLostError(`${topic}[${partition}] is held by another dispatcher now`);
      }
      let result: { settled: Promise<void> };
      if (claim === 'claimed') result = await deps.handler.sendClaimed(command, slot, signal);
      else {
        slot.cancel();
        const segments = countSegments(command.payload.body).segments;
        result = await deps.handler.settleUnclaimed(command, () => deps.pacer.acquire(lane.sender, segments, signal, heldSinceMs), signal);
      }
      const at = Date.now();
      lane.order.sent(id, at);
      lastSent.set(`${lane.sender}|${sms.to}`, at);
      forgetOldSends(at);
      lane.pending.delete(id);
      result.settled.then(pending.resolve, pending.reject);
    } catch (error) {
      if (error instanceof PartitionLostError) {
        lane.pending.delete(id);
        pending.reject(error);
        closeLane(lane, error);
      } else if (error instanceof StoppingError || signal.aborted) {
        lane.pending.delete(id);
        pending.reject(error);
      } else {
        pending.failures += 1;
        const temporary = retryFlag(error) === true || isTransientDatabaseError(error);
        if (!temporary && pending.failures >= maxAttempts) {
          // Given up: dead-lettered by the consumer; the customer's next message may go.
          lane.order.sent(id, Date.now());
          lane.pending.delete(id);
          pending.reject(new PermanentError(`send failed ${pending.failures} times: ${describeError(error)}`));
        } else {
          const delay = Math.min(30_000, retryBaseMs * 2 ** Math.min(pending.failures - 1, 6));
          deps.logger.warn({ commandId: command.payload.commandId, failures: pending.failures, delayMs: delay, err: describeError(error) }, 'send not possible now; trying again later');
          pending.onItsWay = false;
          lane.order.postpone(id, Date.now() + delay);
        }
      }
    } finally {
      lane.wake();
      if (!lane.running && lane.order.size > 0 && lanes.get(lane.sender) === lane) void run(lane);
    }
  }

  return {
    /** Queues a command in its sender's lane; resolves when its send is settled. */
    submit(consumed: ConsumedEvent<SmsSendRequested>, partition: PartitionContext): Promise<void> {
      if (partition.signal.aborted) return Promise.reject(new StoppingError('partition no longer held'));
      const command = consumed.event;
      const sender = command.payload.from;
      const existing = lanes.get(sender);
      const lane = existing && existing.partition === partition ? existing : openLane(sender, partition);
      return new Promise<void>((resolve, reject) => {
        const queued = asQueued(command);
        const id = lane.order.push(queued);
        lane.pending.set(id, {
          command,
          resolve,
          reject,
          failures: 0,
          onItsWay: false,
          context: consumed.context,
          readyAtMs: Math.max(Date.now(), queued.notBeforeMs),
          waitMeasured: false,
        });
        lane.wake();
        // Started after the current turn: a fetched batch is queued whole before the lane chooses from it.
        if (!lane.running) {
          lane.running = true;
          setImmediate(() => void run(lane));
        }
      });
    },
    /** Senders with commands on this replica. */
    get activeSenders(): number {
      return lanes.size;
    },
  };
}
