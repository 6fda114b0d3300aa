import { prismaSql, type PrismaClient } from '@sms-survey/db';
import type { Logger } from 'pino';
import type { OutboxRelay } from './outbox-relay.js';
import { enqueue } from './outbox-relay.js';
import { every } from './periodic.js';
import { endSession } from './session-events.js';

/**
 * The durable expiry timer: every interval, active sessions past their expiry time are ended as `expired`
 * (with their session-ended event, in the same transaction). Replicas take disjoint rows (SKIP LOCKED); a
 * restart loses nothing because the deadline is in the table, not in memory.
 */
export function createExpiryTimer(prisma: PrismaClient, relay: OutboxRelay, logger: Logger, options: { intervalMs?: number; batch?: number } = {}) {
  async function expireDue(): Promise<number> {
    const committed = await prisma.$transaction(async (tx) => {
      const due = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM survey_session WHERE status = 'active' AND expires_at <= now()
        ORDER BY expires_at LIMIT ${options.batch ?? 100} FOR UPDATE SKIP LOCKED`;
      const entries = [];
      for (const { id } of due) {
        const session = await tx.surveySession.findUniqueOrThrow({ where: { id } });
        entries.push(await endSession(tx, session, 'expired', new Date(), 'expiry time reached'));
      }
      return { ids: await enqueue(prismaSql(tx), entries), entries };
    });
    relay.committed(committed.entries);
    const { ids } = committed;
    await relay.publish(ids);
    return ids.length;
  }

  return { expireDue, ...every(options.intervalMs ?? 1000, expireDue, logger, 'sessions expired') };
}
