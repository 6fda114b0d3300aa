import { Prisma, poolSql } from '@sms-survey/db';
import type pg from 'pg';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';

interface Backlog {
  due: number;
  scheduled: number;
  oldestDueAgeSeconds: number | null;
}

/**
 * The outbox backlog on /metrics, read from the table when scraped (one statement over the unpublished rows, by
 * the (published_at, available_at, id) index), reused for `cacheMs` and waited for at most `timeoutMs`. When the
 * read fails or takes too long its series are left out, not kept at their last values (a stale backlog would
 * hide one from alerts). Every replica reports the whole table: aggregate replicas with `max`.
 */
export function registerOutboxMetrics(registry: Registry, pool: pg.Pool, logger: Logger, options: { cacheMs?: number; timeoutMs?: number } = {}): void {
  const sql = poolSql(pool);
  const cacheMs = options.cacheMs ?? 5000;
  const timeoutMs = options.timeoutMs ?? 2000;
  let last: { at: number; backlog: Backlog | undefined } | undefined;
  let inFlight: Promise<Backlog | undefined> | undefined;
  let failing = false;

  async function read(): Promise<Backlog> {
    const [row] = await sql<{ due: string; scheduled: string; oldest: number | null }>(Prisma.sql`
      SELECT count(*) FILTER (WHERE available_at <= now()) AS due,
             count(*) FILTER (WHERE available_at > now()) AS scheduled,
             extract(epoch FROM now() - min(available_at) FILTER (WHERE available_at <= now()))::float8 AS oldest
      FROM outbox_event WHERE published_at IS NULL`);
    return { due: Number(row?.due ?? 0), scheduled: Number(row?.scheduled ?? 0), oldestDueAgeSeconds: row?.oldest ?? null };
  }

  function current(): Promise<Backlog | undefined> {
    if (last && Date.now() - last.at < cacheMs) return Promise.resolve(last.backlog);
    inFlight ??= read()
      .then(
        (backlog) => {
          if (failing) logger.info('outbox backlog readable again');
          failing = false;
          return backlog as Backlog | undefined;
        },
        (error: unknown) => {
          if (!failing) logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'outbox backlog not readable; its metrics are left out until it is');
          failing = true;
          return undefined;
        },
      )
      .then((backlog) => {
        last = { at: Date.now(), backlog };
        inFlight = undefined;
        return backlog;
      });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
      timer.unref();
    });
    return Promise.race([inFlight, timeout]).finally(() => clearTimeout(timer));
  }

  new Gauge({
    name: 'outbox_events_pending',
    help: 'Outbox rows not published yet: due (to be published now) or scheduled (held until their time, e.g. the 2 s between a survey\'s SMS)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const backlog = await current();
      this.reset();
      if (!backlog) return;
      this.set({ state: 'due' }, backlog.due);
      this.set({ state: 'scheduled' }, backlog.scheduled);
    },
  });
  new Gauge({
    name: 'outbox_oldest_due_age_seconds',
    help: 'How long the oldest due outbox row has waited to be published (0 when none waits)',
    registers: [registry],
    async collect() {
      const backlog = await current();
      this.reset();
      if (backlog) this.set(Math.max(0, backlog.oldestDueAgeSeconds ?? 0));
    },
  });
}
