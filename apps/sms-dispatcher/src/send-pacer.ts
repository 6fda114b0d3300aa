import { admit, createRateWindow, messagesPerSecond, retime, WINDOW_MS, withdraw, type RateWindow, type WindowSend } from '@sms-survey/sms-domain';

/** Resolves after `ms`, or at once when `signal` aborts. */
export const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * A wait of at most a window (one second): the loops check their signal after it. Listening to the signal
 * instead would put a listener per waiting sender on one partition's signal (thousands), and every removal
 * scans them all.
 */
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, WINDOW_MS)));

export class StoppingError extends Error {
  readonly retryable = true;
}

/** A send the pacer let through. */
export interface SendSlot {
  /** Its request starts now: the send counts from now plus the margin (called again for each attempt). */
  started(): void;
  /** Its request was answered (or failed) now: if that is sooner than the start plus the margin, it counts from now. */
  answered(): void;
  /** No request was made after all: the slot is given back. */
  cancel(): void;
}

/**
 * Keeps each sender within its rate: a sliding one-second window per sender (segments, not messages), so that
 * every one-second window of requests *as Twilio receives them* stays within the limit. Twilio receives a
 * request at some moment between its start (just before the Twilio SDK call) and its answer, so a send counts
 * from its answer, or from its start plus `marginMs` if that is sooner:
 * - answered within the margin (the usual case): counted from the answer, which is after Twilio received the
 *   request, so the limit holds whatever the delays;
 * - answered later: counted from start + margin, which assumes that the time from the start to Twilio
 *   receiving a request varies by less than the margin between two requests of a sender; a slow answer then
 *   costs the sender at most the margin, not the whole round trip.
 * The limits hold across dispatcher replicas because `sms.send.v1` is keyed by sender: one replica holds a
 * sender's partition at a time. A replica does not know what the previous holder sent in its last second, so
 * a sender's window counts a full second's worth as sent at the moment this replica took its partition
 * (`heldSinceMs`): its first send waits until one second after the takeover, and a sender of a partition held
 * for longer starts at once (docs/messaging.md, "Scaling out").
 */
export function createSendPacer(options: { configuredRates: Readonly<Record<string, number>>; marginMs: number; now?: () => number }) {
  const now = options.now ?? Date.now;
  const windows = new Map<string, { window: RateWindow; heldSinceMs: number }>();
  let prunedAt = now();

  /** Windows of senders that sent nothing for a while are dropped: memory follows the active senders. */
  function forgetIdle(at: number): void {
    if (at - prunedAt < 10_000) return;
    prunedAt = at;
    const before = at - WINDOW_MS - options.marginMs;
    for (const [sender, entry] of windows) if (entry.window.sends.every((s) => s.atMs < before)) windows.delete(sender);
  }

  function windowOf(sender: string, heldSinceMs: number): RateWindow {
    const entry = windows.get(sender);
    if (entry && entry.heldSinceMs === heldSinceMs) return entry.window;
    const limit = messagesPerSecond(sender, options.configuredRates);
    // A new holding (or one never seen): what this replica sent before still counts, plus a full second at the takeover.
    const full = createRateWindow(limit, heldSinceMs, { startFull: true });
    return { limit, sends: [...(entry?.window.sends ?? []), ...full.sends].sort((a, b) => a.atMs - b.atMs) };
  }

  return {
    /**
     * Resolves when `sender` may send `segments` now (and counts them from now); throws once `signal` aborts.
     * `heldSinceMs`: when this replica took the sender's partition.
     */
    async acquire(sender: string, segments: number, signal: AbortSignal, heldSinceMs: number): Promise<SendSlot> {
      for (;;) {
        if (signal.aborted) throw new StoppingError('dispatcher stopping');
        const at = now();
        forgetIdle(at);
        const result = admit(windowOf(sender, heldSinceMs), segments, at);
        windows.set(sender, { window: result.window, heldSinceMs });
        if (result.send) {
          let send: WindowSend = result.send;
          let startedAt: number | undefined;
          const current = () => windows.get(sender)?.window ?? result.window;
          const countFrom = (atMs: number) => {
            const moved = retime(current(), send, atMs);
            windows.set(sender, { window: moved.window, heldSinceMs: windows.get(sender)?.heldSinceMs ?? heldSinceMs });
            send = moved.send;
          };
          return {
            started() {
              startedAt = now();
              countFrom(startedAt + options.marginMs);
            },
            answered() {
              if (startedAt !== undefined) countFrom(Math.min(now(), startedAt + options.marginMs));
            },
            cancel() {
              if (startedAt !== undefined) return;
              const entry = windows.get(sender);
              if (entry) windows.set(sender, { window: withdraw(entry.window, send), heldSinceMs: entry.heldSinceMs });
            },
          };
        }
        await pause(result.waitMs);
      }
    },
    /**
     * Resolves once `sender`'s window has room for a one-segment send (counting nothing), so that the lane
     * chooses what to send at the last moment: a reply that arrived meanwhile still goes first.
     */
    async room(sender: string, signal: AbortSignal, heldSinceMs: number): Promise<void> {
      for (;;) {
        if (signal.aborted) throw new StoppingError('dispatcher stopping');
        const result = admit(windowOf(sender, heldSinceMs), 1, now());
        if (result.send) return;
        await pause(result.waitMs);
      }
    },
    /** Senders with a window in memory. */
    get size(): number {
      return windows.size;
    },
  };
}

export type SendPacer = ReturnType<typeof createSendPacer>;
