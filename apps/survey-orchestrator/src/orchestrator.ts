import { Topics } from '@sms-survey/contracts';
import { createConsumerMetrics, createEventConsumer } from '@sms-survey/kafka';
import { startWorker, type WorkerHandle } from '@sms-survey/service-kit';
import type { Logger } from 'pino';
import { applyOnce } from './apply-once.js';
import type { OrchestratorConfig } from './config.js';
import { handleMessageStatus, handleSendResult } from './handlers/delivery.handler.js';
import { handleInboundSms } from './handlers/inbound-sms.handler.js';
import { createOutboxRelay } from './outbox-relay.js';

export const SERVICE = 'survey-orchestrator';

/** Consumes customer replies and delivery reports, keeps session state in PostgreSQL, and decides what to send. */
export function startOrchestrator(config: OrchestratorConfig, logger: Logger, onFatal?: (e: unknown) => void): Promise<WorkerHandle> {
  return startWorker({
    name: SERVICE,
    config,
    logger,
    onFatal,
    build({ kafka, producer, prisma, registry, onFatal }) {
      const relay = createOutboxRelay(prisma, producer, logger);
      const group = config.KAFKA_GROUP_ID;
      const consumer = createEventConsumer({
        kafka,
        groupId: group,
        topicPrefix: config.KAFKA_TOPIC_PREFIX,
        topics: [Topics.inboundSms, Topics.messageStatus, Topics.smsSendResult],
        producer,
        logger,
        metrics: createConsumerMetrics(registry),
        partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENTLY,
        onFatal,
        async handle({ event }) {
          await applyOnce(prisma, relay, group, event.id, (tx) => {
            switch (event.type) {
              case 'sms.inbound.received':
                return handleInboundSms(tx, event, { surveyNotFound: config.SURVEY_NOT_FOUND_TEXT });
              case 'sms.status.reported':
                return handleMessageStatus(tx, event);
              case 'sms.send.accepted':
              case 'sms.send.failed':
                return handleSendResult(tx, event);
              default: {
                const unhandled: never = event;
                throw new Error(`unhandled event ${(unhandled as { type: string }).type}`);
              }
            }
          });
        },
      });
      return { consumers: [consumer], start: () => relay.start(), stop: () => relay.stop() };
    },
  });
}
