import { Topics } from '@sms-survey/contracts';
import { startWorker, type WorkerHandle } from '@sms-survey/service-kit';
import type { SenderPolicy } from '@sms-survey/survey-domain';
import type { Logger } from 'pino';
import { applyOnce } from './apply-once.js';
import type { OrchestratorConfig } from './config.js';
import { createExpiryTimer } from './expiry-timer.js';
import { handleMessageStatus, handleSendResult } from './handlers/delivery.handler.js';
import { createFlexTaskReporter, handleFlexTaskEvent, type FlexTaskResult } from './handlers/flex-task.handler.js';
import { handleInboundSms } from './handlers/inbound-sms.handler.js';
import { handleSurveySend } from './handlers/survey-send.handler.js';
import { createOutboxRelay } from './outbox-relay.js';
import { createSurveyCatalog } from './survey-catalog.js';

export const SERVICE = 'survey-orchestrator';

/** Owns survey sessions: starts them, handles customer replies and delivery reports, expires them. */
export function startOrchestrator(config: OrchestratorConfig, logger: Logger, onFatal?: (e: unknown) => void): Promise<WorkerHandle> {
  return startWorker({
    name: SERVICE,
    config,
    logger,
    onFatal,
    build({ producer, prisma, registry, consumer: createConsumer }) {
      const relay = createOutboxRelay(prisma, producer, logger);
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
      const consumer = createConsumer({
        groupId: group,
        topics: [Topics.surveyCommands, Topics.inboundSms, Topics.messageStatus, Topics.smsSendResult, Topics.flexTaskEvents],
        partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENTLY,
        async handle({ event }) {
          const now = new Date();
          let flex: FlexTaskResult | undefined;
          const applied = await applyOnce(prisma, relay, group, event.id, async (tx) => {
            switch (event.type) {
              case 'flex.task.lifecycle':
                flex = await handleFlexTaskEvent(tx, event, { policies: config.flexSurveyPolicies, catalog, senders, now });
                return flex.out;
              case 'survey.send.requested':
                return handleSurveySend(tx, event, { catalog, senders, now });
              case 'sms.inbound.received':
                return handleInboundSms(tx, event, { catalog, senders, defaultNotFoundText: config.SURVEY_NOT_FOUND_TEXT }, now);
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
          });
          if (event.type === 'flex.task.lifecycle') reportFlex(event, applied ? flex : undefined);
        },
      });
      return {
        consumers: [consumer],
        start: () => {
          relay.start();
          expiry.start();
        },
        stop: async () => {
          await expiry.stop();
          await relay.stop();
        },
      };
    },
  });
}
