import { admit, createRateWindow, messagesPerSecond, retime, withdraw, type RateWindow, type WindowSend } from '@sms-survey/sms-domain';

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
 * The limits hold across dispatcher replicas because `sms.send.v1` is keyed by sender: one replica owns a
 * sender's partition at a time. A window starts full, so a replica that has just taken a sender over waits
 * one second before its first send and cannot add to what the previous owner sent in its last second.
 */
export function createSendPacer(options: { configuredRates: Readonly<Record<string, number>>; marginMs: number; now?: () => number }) {
  const now = options.now ?? Date.now;
  const windows = new Map<string, RateWindow>();
  return {
    /** Resolves when `sender` may send `segments` now (and counts them from now); throws once `signal` aborts. */
    async acquire(sender: string, segments: number, signal: AbortSignal): Promise<SendSlot> {
      for (;;) {
        if (signal.aborted) throw new StoppingError('dispatcher stopping');
        const window = windows.get(sender) ?? createRateWindow(messagesPerSecond(sender, options.configuredRates), now(), { startFull: true });
        const result = admit(window, segments, now());
        windows.set(sender, result.window);
        if (result.send) {
          let send: WindowSend = result.send;
          let startedAt: number | undefined;
          const countFrom = (atMs: number) => {
            const moved = retime(windows.get(sender) ?? result.window, send, atMs);
            windows.set(sender, moved.window);
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
              const current = windows.get(sender);
              if (current) windows.set(sender, withdraw(current, send));
            },
          };
        }
        await sleep(result.waitMs, signal);
      }
    },
  };
}

export type SendPacer = ReturnType<typeof createSendPacer>;
