import { admit, createRateWindow, messagesPerSecond, type RateWindow } from '@sms-survey/sms-domain';

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

export class StoppingError extends Error {
  readonly retryable = true;
}

/**
 * Keeps each sender within its rate: a sliding one-second window per sender (segments, not messages). A send
 * counts from when its request was answered, not from when it was let through: the time between the two
 * (claiming the send in the ledger, the request on its way) varies from send to send, so counting from the
 * answer, which comes after Twilio received the request, is what keeps every one-second window of requests
 * *as Twilio receives them* within the limit. The
 * limits hold across dispatcher replicas because `sms.send.v1` is keyed by sender: one replica owns a sender's
 * partition at a time. A window starts full, so a replica that has just taken a sender over waits one second
 * before its first send and cannot add to what the previous owner sent in its last second.
 */
export function createSendPacer(options: { configuredRates: Readonly<Record<string, number>>; now?: () => number }) {
  const now = options.now ?? Date.now;
  const windows = new Map<string, RateWindow>();
  return {
    /**
     * Resolves when `sender` may send `segments` now (and counts them); throws once `signal` aborts. Call the
     * function it resolves to once the request has been answered (or has failed): the send then counts from then.
     */
    async acquire(sender: string, segments: number, signal: AbortSignal): Promise<() => void> {
      for (;;) {
        if (signal.aborted) throw new StoppingError('dispatcher stopping');
        const window = windows.get(sender) ?? createRateWindow(messagesPerSecond(sender, options.configuredRates), now(), { startFull: true });
        const result = admit(window, segments, now());
        windows.set(sender, result.window);
        if (result.waitMs === 0) {
          const admitted = result.window.sends[result.window.sends.length - 1]!;
          return () => {
            const current = windows.get(sender);
            if (!current) return;
            // Moved to the end: every other send in the window was let through before now.
            windows.set(sender, { limit: current.limit, sends: [...current.sends.filter((s) => s !== admitted), { atMs: Math.max(admitted.atMs, now()), cost: admitted.cost }] });
          };
        }
        await sleep(result.waitMs, signal);
      }
    },
  };
}

export type SendPacer = ReturnType<typeof createSendPacer>;
