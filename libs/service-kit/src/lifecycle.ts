import type { Logger } from 'pino';
import { startTracing, type Tracing } from './tracing.js';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });

/** `work`'s result, or undefined as soon as `signal` aborts. */
function unlessAborted<T>(work: Promise<T>, signal?: AbortSignal): Promise<T | undefined> {
  if (!signal) return work;
  let onAbort = () => {};
  const aborted = new Promise<undefined>((resolve) => { onAbort = () => resolve(undefined); });
  signal.addEventListener('abort', onAbort, { once: true });
  return Promise.race([work, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}

/**
 * Runs `attempt` until it succeeds, with capped exponential backoff. Services use it to connect to a broker or
 * database that is not there yet: they stay up (not ready) and become ready when it appears. An abort returns
 * undefined at once, without waiting for an attempt in progress (a Kafka connect retries for ~20 s itself).
 */
export async function retryUntilSuccess<T>(what: string, attempt: () => Promise<T>, logger: Logger, signal?: AbortSignal): Promise<T | undefined> {
  for (let n = 1; !signal?.aborted; n++) {
    try {
      return await unlessAborted(attempt(), signal);
    } catch (error) {
      if (signal?.aborted) break;
      const delay = Math.min(10_000, 250 * 2 ** Math.min(n, 6));
      logger.warn({ attempt: n, retryInMs: delay, err: error instanceof Error ? error.message : String(error) }, `${what} failed; retrying`);
      await sleep(delay, signal);
    }
  }
  return undefined;
}

export interface ServiceHandle {
  /** Stop taking new work, finish what is in flight, commit, close connections. */
  stop(): Promise<void>;
}

/**
 * Process wiring shared by every service: tracing first (libs/service-kit/src/tracing.ts: OTLP when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set, off otherwise), then start; on SIGTERM/SIGINT stop within the timeout,
 * export the spans still buffered and exit 0; exit 1 if stopping takes too long, on a fatal error, or when the
 * start itself throws.
 */
export function runService(options: { name: string; logger: Logger; shutdownTimeoutMs: number; start: () => Promise<ServiceHandle> }): void {
  const { logger } = options;
  let handle: ServiceHandle | undefined;
  let stopping = false;
  let tracing: Tracing | undefined;
  try {
    tracing = startTracing({ serviceName: options.name });
    if (tracing.enabled) logger.info('tracing on (OpenTelemetry)');
  } catch (error) {
    logger.fatal({ err: error }, `${options.name} failed to start`);
    process.exit(1);
  }

  const shutdown = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, `${options.name} stopping`);
    const timer = setTimeout(() => {
      logger.error(`${options.name} did not stop within ${options.shutdownTimeoutMs} ms; exiting`);
      process.exit(1);
    }, options.shutdownTimeoutMs);
    timer.unref();
    try {
      await handle?.stop();
      await tracing?.shutdown().catch((e: unknown) => logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'exporting the last spans failed'));
      logger.info(`${options.name} stopped`);
      process.exit(code);
    } catch (error) {
      logger.error({ err: error }, 'error while stopping');
      process.exit(1);
    }
  };

  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
  process.on('SIGINT', () => void shutdown('SIGINT', 0));
  process.on('unhandledRejection', (error) => {
    logger.fatal({ err: error }, 'unhandled rejection');
    void shutdown('unhandledRejection', 1);
  });

  options
    .start()
    .then((h) => {
      handle = h;
      if (stopping) void h.stop();
    })
    .catch((error) => {
      logger.fatal({ err: error }, `${options.name} failed to start`);
      process.exit(1);
    });
}
