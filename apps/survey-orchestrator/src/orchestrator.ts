import { Topics, type InboundSmsReceived, type MessageOf } from '@sms-survey/contracts';
import { poolSql, type RetentionRule } from '@sms-survey/db';
import { startWorker, type WorkerHandle } from '@sms-survey/service-kit';
import type { SenderPolicy } from '@sms-survey/survey-domain';
import type { Logger } from 'pino';
import { applyBatchOnce, applyOnce, type Tx } from './apply-once.js';
import { applyReplies } from './apply-replies.js';
import type { OrchestratorConfig } from './config.js';
import { createExpiryTimer } from './expiry-timer.js';
import { createReminderTimer } from './reminder-timer.js';
import { handleMessageStatus, handleSendResult } from './handlers/delivery.handler.js';
import { createFlexTaskReporter, handleFlexTaskEvent, type FlexTaskResult } from './handlers/flex-task.handler.js';
import { handleInboundSms } from './handlers/inbound-sms.handler.js';
import { handleSurveySend } from './handlers/survey-send.handler.js';
import { createOutboxRelay, type OutboxEntry } from './outbox-relay.js';
import { createTimeZoneLookup } from './recipient-time-zones.js';
import type { SendingPolicy } from './sending-window.js';
import { createSurveyCatalog } from './survey-catalog.js';
import { registerOutboxMetrics } from './outbox-metrics.js';
import { createSurveyMetrics } from './survey-metrics.js';

export const SERVICE = 'survey-orchestrator';

const CONSUMED = [Topics.surveyCommands, Topics.inboundSms, Topics.messageStatus, Topics.smsSendResult, Topics.flexTaskEvents] as const;
type Event = MessageOf<(typeof CONSUMED)[number]>;

/** What the orchestrator deletes once it is old enough: de-duplication records and published outbox rows. */
export function orchestratorRetention(config: Pick<OrchestratorConfig, 'PROCESSED_EVENT_RETENTION_DAYS' | 'OUTBOX_RETENTION_HOURS'>): RetentionRule[] {
  return [
    { table: 'processed_message', column: 'processed_at', keepSeconds: config.PROCESSED_EVENT_RETENTION_DAYS * 86_400 },
    // published_at is null until published: those rows are never older than anything.
    { table: 'outbox_event', column: 'published_at', keepSeconds: config.OUTBOX_RETENTION_HOURS * 3600 },
  ];
}

/** Owns survey sessions: starts them, handles customer replies and delivery reports, expires them. */
export function startOrchestrator(config: OrchestratorConfig, logger: Logger, onFatal?: (e: unknown) => void): Promise<WorkerHandle> {
  return startWorker({
    name: SERVICE,
    config,
    logger,
    onFatal,
    // Customer replies, the hot path, are applied in raw SQL on the plain pg connections (apply-once.ts).
    build({ producer, prisma, sqlPool, registry, consumer: createConsumer }) {
      // Survey and SMS metrics, counted from what each transaction committed (docs/observability.md).
      const surveyMetrics = createSurveyMetrics(registry);
      registerOutboxMetrics(registry, sqlPool, logger);
      const relay = createOutboxRelay(prisma, producer, logger, { sql: poolSql(sqlPool), onCommitted: surveyMetrics.committed });
      const expiry = createExpiryTimer(prisma, relay, logger, { intervalMs: config.EXPIRY_CHECK_INTERVAL_MS });
      const catalog = createSurveyCatalog(prisma);
      const senders: SenderPolicy = {
        defaultSender: config.SMS_SENDER_NUMBER,
        subnumberPool: config.SMS_SUBNUMBER_POOL,
        subnumberCountryPrefixes: config.SMS_SUBNUMBER_COUNTRIES,
      };
      const group = config.KAFKA_GROUP_ID;
      const reportFlex = createFlexTaskReporter(registry, logger);
      logger.info({ flexSurveyPolicies: config.flexSurveyPolicies.map((p) => p.name ?? p.surveyId) }, 'flex survey policies loaded');
      const sending: SendingPolicy = { defaultHours: config.SENDING_HOURS, zonesOf: createTimeZoneLookup() };
      const inboundDeps = { catalog, senders, sending, defaultNotFoundText: config.SURVEY_NOT_FOUND_TEXT };
      const reminders = createReminderTimer({ prisma, relay, catalog, sending, logger }, { intervalMs: config.REMINDER_CHECK_INTERVAL_MS });
      /** One event's handler, inside the transaction that records it as applied. */
      async function applyEvent(tx: Tx, event: Event, now: Date, flexResults: Map<string, FlexTaskResult>): Promise<OutboxEntry[]> {
        switch (event.type) {
          case 'flex.task.lifecycle': {
            const flex = await handleFlexTaskEvent(tx, event, { policies: config.flexSurveyPolicies, catalog, senders, sending, now });
            flexResults.set(event.id, flex);
            return flex.out;
          }
          case 'survey.send.requested':
            return handleSurveySend(tx, event, { catalog, senders, sending, now });
          case 'sms.inbound.received':
            return handleInboundSms(tx, event, inboundDeps, now);
          case 'sms.status.reported':
            return handleMessageStatus(tx, event, now);
          case 'sms.send.accepted':
          case 'sms.send.failed':
            return handleSendResult(tx, event, now);
          default: {
            const unhandled: never = event;
            throw new Error(`unhandled event ${(unhandled as { type: string }).type}`);
          }
        }
      }
      function reportFlexResults(events: readonly Event[], applied: Set<string>, results: Map<string, FlexTaskResult>): void {
        for (const event of events) {
          if (event.type === 'flex.task.lifecycle') reportFlex(event, applied.has(event.id) ? results.get(event.id) : undefined);
        }
      }
      const consumer = createConsumer({
        groupId: group,
        topics: CONSUMED,
        partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENTLY,
        maxBatchSize: config.KAFKA_MAX_BATCH_SIZE,
        // A fetched batch (one partition) is applied in one transaction; replies take the set-based path.
        async handleBatch(messages) {
          const now = new Date();
          const events = messages.map((m) => m.event);
          const flexResults = new Map<string, FlexTaskResult>();
          const replies = events.filter((e): e is InboundSmsReceived => e.type === 'sms.inbound.received');
          if (replies.length === events.length) {
            return applyReplies({ prisma, sqlPool, relay, consumerGroup: group, deps: inboundDeps }, replies, now);
          }
          const applied = await applyBatchOnce(prisma, relay, group, events, async (tx, fresh, outbox) => {
            // Each event's outbox entries carry its own trace context (the batch may be a span of several).
            for (const event of fresh) outbox.add(await applyEvent(tx, event, now, flexResults), event);
          });
          reportFlexResults(events, applied, flexResults);
        },
        // A batch that fails for a reason other than a transient one is applied again one event at a time, so
        // that only the event at fault is dead-lettered.
        async handle({ event }) {
          const flexResults = new Map<string, FlexTaskResult>();
          const applied = await applyOnce(prisma, relay, group, event.id, (tx) => applyEvent(tx, event, new Date(), flexResults));
          reportFlexResults([event], applied ? new Set([event.id]) : new Set(), flexResults);
        },
      });
      return {
        consumers: [consumer],
        retention: { rules: orchestratorRetention(config), intervalMs: config.RETENTION_INTERVAL_MS },
        start: () => {
          relay.start();
          expiry.start();
          reminders.start();
        },
        stop: async () => {
          await Promise.all([expiry.stop(), reminders.stop()]);
          await relay.stop();
        },
      };
    },
  });
}
