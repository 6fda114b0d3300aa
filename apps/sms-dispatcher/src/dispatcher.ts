import { Topics } from '@sms-survey/contracts';
import { createSqlPool, poolSql, startRetention } from '@sms-survey/db';
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
    build({ producer, registry, consumer: createConsumer }) {
      // The ledger's statements run on plain pg connections (send-ledger.ts).
      const sqlPool = createSqlPool({
        databaseUrl: config.DATABASE_URL,
        poolSize: config.DATABASE_POOL_SIZE,
        onIdleError: (e) => logger.warn({ err: e.message }, 'idle database connection closed'),
      });
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
      let retention: { stop(): Promise<void> } | undefined;
      return {
        consumers: [consumer],
        start: () => {
          retention = startRetention(poolSql(sqlPool), [sendLedgerRetention(config.SEND_LEDGER_RETENTION_DAYS)], {
            intervalMs: config.RETENTION_INTERVAL_MS,
            onPurged: (table, rows) => logger.info({ table, rows }, 'rows past their retention deleted'),
            onError: (e) => logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'retention purge failed; retrying at the next interval'),
          });
        },
        stop: async () => {
          await retention?.stop();
          await sqlPool.end();
        },
      };
    },
  });
}
