import { Topics } from '@sms-survey/contracts';
import { poolSql } from '@sms-survey/db';
import { startWorker, type WorkerHandle } from '@sms-survey/service-kit';
import { twilioClientFor } from '@sms-survey/twilio';
import type { Logger } from 'pino';
import type { DispatcherConfig } from './config.js';
import { createBatchDispatcher } from './dispatch-batch.js';
import { createSendCommandHandler } from './send-command.handler.js';
import { createSendPacer } from './send-pacer.js';
import { createSendLedger, sendLedgerRetention } from './send-ledger.js';

export const SERVICE = 'sms-dispatcher';

/**
 * Sends the SMS the orchestrator asks for through the Twilio API: each command once, each sender within its
 * rate, replies before new surveys' first questions.
 */
export function startDispatcher(config: DispatcherConfig, logger: Logger, onFatal?: (e: unknown) => void): Promise<WorkerHandle> {
  return startWorker({
    name: SERVICE,
    config,
    logger,
    onFatal,
    // The ledger's statements run on the plain pg connections (send-ledger.ts).
    build({ producer, sqlPool, registry, consumer: createConsumer }) {
      const twilio = twilioClientFor(config.twilio, { maxSockets: config.TWILIO_MAX_CONCURRENT_REQUESTS });
      const handler = createSendCommandHandler({
        twilio,
        ledger: createSendLedger(poolSql(sqlPool)),
        producer,
        logger,
        registry,
        statusCallbackBaseUrl: config.STATUS_CALLBACK_BASE_URL,
        validityPeriodSeconds: config.SMS_VALIDITY_PERIOD_SECONDS,
        maxAttempts: config.TWILIO_MAX_ATTEMPTS,
        retryBaseMs: config.TWILIO_RETRY_BASE_MS,
        staleSendMs: config.STALE_SEND_MS,
        maxConcurrentRequests: config.TWILIO_MAX_CONCURRENT_REQUESTS,
      });
      const consumer = createConsumer({
        groupId: config.KAFKA_GROUP_ID,
        topics: [Topics.smsSend],
        partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENTLY,
        maxBatchSize: config.DISPATCH_BATCH_SIZE,
        handleBatch: createBatchDispatcher({
          pacer: createSendPacer({ configuredRates: config.SENDER_RATES, marginMs: config.SEND_WINDOW_MARGIN_MS }),
          handler,
        }),
      });
      return {
        consumers: [consumer],
        retention: { rules: [sendLedgerRetention(config.SEND_LEDGER_RETENTION_DAYS)], intervalMs: config.RETENTION_INTERVAL_MS },
      };
    },
  });
}
