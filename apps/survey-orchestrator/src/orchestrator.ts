import { poolSql, createSurveyCatalog, type RetentionRule } from '@sms-survey/db';
import { startWorker, type WorkerHandle } from '@sms-survey/service-kit';
import type { Logger } from 'pino';
import { CONSUMED, applyConsumedOnce, type ConsumedEvent, type EngineDeps, type SceneResults } from './apply-events.js';
import type { OrchestratorConfig } from './config.js';
import { createFlexTaskReporter } from './handlers/flex-task.handler.js';
import { createOutboxRelay } from './outbox-relay.js';
import { createTimeZoneLookup } from './recipient-time-zones.js';
import { createSessionTimer } from './session-timers.js';
import { registerOutboxMetrics } from './outbox-metrics.js';
import { createSurveyMetrics } from './survey-metrics.js';

export const SERVICE = 'survey-orchestrator';

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
    // Every query goes through the plain pg pool (`Sql`); Prisma is used for migrations only.
    build({ producer, sqlPool, registry, consumer: createConsumer }) {
      // Survey and SMS metrics, counted from what each transaction committed (docs/observability.md).
      const surveyMetrics = createSurveyMetrics(registry);
      registerOutboxMetrics(registry, sqlPool, logger);
      const relay = createOutboxRelay(sqlPool, producer, logger, { onCommitted: surveyMetrics.committed });
      const engine: EngineDeps = {
        catalog: createSurveyCatalog(poolSql(sqlPool)),
        senders: { defaultSender: config.SMS_SENDER_NUMBER, subnumberPool: config.SMS_SUBNUMBER_POOL, subnumberCountryPrefixes: config.SMS_SUBNUMBER_COUNTRIES },
        sending: { defaultHours: config.SENDING_HOURS, zonesOf: createTimeZoneLookup() },
        defaultNotFoundText: config.SURVEY_NOT_FOUND_TEXT,
        flexPolicies: config.flexSurveyPolicies,
      };
      const timerDeps = { pool: sqlPool, relay, engine, logger };
      const expiry = createSessionTimer('expiry', timerDeps, { intervalMs: config.EXPIRY_CHECK_INTERVAL_MS });
      const reminders = createSessionTimer('reminder', timerDeps, { intervalMs: config.REMINDER_CHECK_INTERVAL_MS });
      const group = config.KAFKA_GROUP_ID;
      const reportFlex = createFlexTaskReporter(registry, logger);
      logger.info({ flexSurveyPolicies: config.flexSurveyPolicies.map((p) => p.name ?? p.surveyId) }, 'flex survey policies loaded');

      async function apply(events: readonly ConsumedEvent[]): Promise<void> {
        const { applied, results } = await applyConsumedOnce(sqlPool, relay, group, events, engine);
        reportFlexResults(events, applied, results);
      }
      function reportFlexResults(events: readonly ConsumedEvent[], applied: Set<string>, results: SceneResults): void {
        for (const event of events) {
          if (event.type === 'flex.task.lifecycle') reportFlex(event, applied.has(event.id) ? results.get(event.id) : undefined);
        }
      }
      const consumer = createConsumer({
        groupId: group,
        topics: CONSUMED,
        partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENTLY,
        maxBatchSize: config.KAFKA_MAX_BATCH_SIZE,
        // A fetched batch (one partition) is applied in one transaction, in one scene (apply-events.ts).
        handleBatch: (messages) => apply(messages.map((m) => m.event)),
        // A batch that fails for a reason other than a transient one is applied again one event at a time, so
        // that only the event at fault is dead-lettered.
        handle: ({ event }) => apply([event]),
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
