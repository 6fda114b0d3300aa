import { context } from '@opentelemetry/api';
import type { InboundSmsReceived } from '@sms-survey/contracts';
import { messageContext } from '@sms-survey/kafka';
import type { PrismaClient } from '@sms-survey/db';
import type pg from 'pg';
import { applyOnce, applySqlBatchOnce } from './apply-once.js';
import { handleInboundSms, handleInboundSmsBatch, type InboundSmsDeps } from './handlers/inbound-sms.handler.js';
import type { OutboxRelay } from './outbox-relay.js';

export interface ReplyContext {
  prisma: PrismaClient;
  sqlPool: pg.Pool;
  relay: OutboxRelay;
  consumerGroup: string;
  deps: InboundSmsDeps;
}

/**
 * Applies a batch of customer replies (one partition, offset order) exactly once: the common ones in one raw-SQL
 * transaction (`handleInboundSmsBatch`), then the rest one by one, each in its own transaction, in order.
 */
export async function applyReplies(ctx: ReplyContext, events: readonly InboundSmsReceived[], now: Date): Promise<void> {
  const { prisma, sqlPool, relay, consumerGroup, deps } = ctx;
  const left = await applySqlBatchOnce(sqlPool, relay, consumerGroup, events, (sql, fresh, outbox) => handleInboundSmsBatch(sql, fresh, deps, now, outbox));
  for (const event of left) {
    // Each in the trace context of its own message (the batch's may be a span of several).
    await context.with(messageContext(event) ?? context.active(), () =>
      applyOnce(prisma, relay, consumerGroup, event.id, (tx) => handleInboundSms(tx, event, deps, now)),
    );
  }
}
