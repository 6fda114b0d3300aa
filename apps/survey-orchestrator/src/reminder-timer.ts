import { prismaSql, type PrismaClient } from '@sms-survey/db';
import { decideReminder } from '@sms-survey/survey-domain';
import type { Logger } from 'pino';
import { enqueue, type OutboxRelay } from './outbox-relay.js';
import { every } from './periodic.js';
import { sendableAt, type SendingPolicy } from './sending-window.js';
import { queueOutgoing } from './session-events.js';
import { isSuppressed } from './suppression.js';
import type { SurveyCatalog } from './survey-catalog.js';

/**
 * The durable reminder timer (survey setting `reminder`): every interval, active sessions whose reminder is due
 * (`remind_at`, set when the first question is sent and cleared by the customer's first reply) get their one
 * nudge, within the customer's sending hours, never after expiry or an opt-out (`decideReminder`). The row is
 * marked in the same transaction (`remind_at` cleared, `reminded_at` set), so a reminder goes once, across
 * restarts and replicas (SKIP LOCKED).
 */
export function createReminderTimer(
  deps: { prisma: PrismaClient; relay: OutboxRelay; catalog: SurveyCatalog; sending: SendingPolicy; logger: Logger },
  options: { intervalMs?: number; batch?: number } = {},
) {
  async function remindDue(): Promise<number> {
    let sent = 0;
    const committed = await deps.prisma.$transaction(async (tx) => {
      const due = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM survey_session WHERE status = 'active' AND remind_at <= now()
        ORDER BY remind_at LIMIT ${options.batch ?? 100} FOR UPDATE SKIP LOCKED`;
      const entries = [];
      for (const { id } of due) {
        const session = await tx.surveySession.findUniqueOrThrow({ where: { id } });
        const survey = await deps.catalog.get(session.surveyId, session.surveyVersion);
        const now = new Date();
        const sendAt = sendableAt(deps.sending, survey, session.customer, now);
        const decision = decideReminder(survey, session, { suppressed: await isSuppressed(tx, session.customer), sendAt });
        await tx.surveySession.update({ where: { id }, data: { remindAt: null, ...(decision.kind === 'send' && { remindedAt: sendAt }) } });
        if (decision.kind !== 'send') continue;
        sent += 1;
        entries.push(...(await queueOutgoing(tx, [decision.sms], { sessionId: id, from: session.senderNumber, to: session.customer, priority: 'new-survey', now, sendAt })));
      }
      return { ids: await enqueue(prismaSql(tx), entries), entries };
    });
    deps.relay.committed(committed.entries); // the metrics (sms_requested_total)
    await deps.relay.publish(committed.ids);
    return sent;
  }

  return { remindDue, ...every(options.intervalMs ?? 5000, remindDue, deps.logger, 'reminders sent') };
}
