import type { Logger } from 'pino';

/**
 * Runs `sweep` every `intervalMs`, one run at a time (a slow run is not overlapped), logging what it did or
 * why it failed; `stop` waits for the run in progress. The durable timers (expiry, reminders) use it: their
 * deadlines are in the table, so a missed or failed run only delays the next.
 */
export function every(intervalMs: number, sweep: () => Promise<number>, logger: Logger, what: string) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  return {
    start(): void {
      timer = setInterval(() => {
        running ??= sweep()
          .then((n) => {
            if (n) logger.info({ count: n }, what);
          })
          .catch((e) => logger.warn({ err: e instanceof Error ? e.message : String(e) }, `${what}: sweep failed`))
          .finally(() => {
            running = undefined;
          });
      }, intervalMs);
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await running;
    },
  };
}
