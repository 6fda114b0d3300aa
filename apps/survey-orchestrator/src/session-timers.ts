import { Prisma } from '@sms-survey/db';
import type { Logger } from 'pino';
import type pg from 'pg';
import { applyEventsInScene, type EngineDeps } from './apply-events.js';
import type { OutboxRelay } from './outbox-relay.js';
import { every } from './periodic.js';
import { inOutboxTransaction } from './transaction.js';

/**
 * The durable timers: every interval, active sessions whose deadline in the table has come are applied as due
 * events, through the same scene as consumed events. Replicas take disjoint rows (SKIP LOCKED); a restart loses
 * nothing because the deadline is in the table, not in memory.
 *  - expiry: sessions past `expires_at` end as `expired`, with their session-ended event.
 *  - reminder (survey setting `reminder`): sessions past `remind_at` (set when the first question is sent, cleared
 *    by the customer's first reply) get their one nudge (`decideReminder`).
 */
export function createSessionTimer(
  kind: 'expiry' | 'reminder',
  deps: { pool: pg.Pool; relay: OutboxRelay; engine: EngineDeps; logger: Logger },
  options: { intervalMs?: number; batch?: number } = {},
) {
  const column = Prisma.raw(kind === 'expiry' ? 'expires_at' : 'remind_at');
  const type = kind === 'expiry' ? ('session.expiry.due' as const) : ('session.reminder.due' as const);

  /** Applies one batch of due sessions; returns how many there were. */
  async function applyDue(): Promise<number> {
    return inOutboxTransaction(deps.pool, deps.relay, 0, async (sql, outbox) => {
      const due = await sql<{ id: string }>(Prisma.sql`
        SELECT id::text AS id FROM survey_session WHERE status = 'active' AND ${column} <= now()
        ORDER BY ${column} LIMIT ${options.batch ?? 100} FOR UPDATE SKIP LOCKED`);
      if (due.length > 0) await applyEventsInScene(sql, outbox, due.map((d) => ({ type, sessionId: d.id })), deps.engine, new Date());
      return due.length;
    });
  }

  const defaultInterval = kind === 'expiry' ? 1000 : 5000;
  return { applyDue, ...every(options.intervalMs ?? defaultInterval, applyDue, deps.logger, kind === 'expiry' ? 'sessions expired' : 'reminders due') };
}
