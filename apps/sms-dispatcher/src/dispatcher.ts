import { Topics } from '@sms-survey/contracts';
import { poolSql } from '@sms-survey/db';
import { startWorker, type WorkerHandle } from '@sms-survey/service-kit';
import { twilioClientFor } from '@sms-survey/twilio';
import type { Logger } from 'pino';
import type { DispatcherConfig } from './config.js';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Gauge } from 'prom-client';
import { createPartitionLeases } from './partition-leases.js';
import { createSenderLanes } from './sender-lanes.js';
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
    // The ledger's and the leases' statements run on the plain pg connections (send-ledger.ts).
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
      const leases = createPartitionLeases(sqlPool, `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`);
      const pacer = createSendPacer({ configuredRates: config.SENDER_RATES, marginMs: config.SEND_WINDOW_MARGIN_MS });
      const lanes = createSenderLanes({ pacer, handler, leases, logger, maxAttempts: config.TWILIO_MAX_ATTEMPTS, registry });
      new Gauge({ name: 'dispatcher_active_senders', help: 'Senders with commands queued or on their way on this replica', registers: [registry], collect() { this.set(lanes.activeSenders); } });
      // Each command is handed to its sender's lane as soon as it is consumed; offsets are committed up to the
      // lowest one not settled (libs/kafka, concurrent mode). Each assignment first takes the partitions' leases.
      const consumer = createConsumer({
        groupId: config.KAFKA_GROUP_ID,
        topics: [Topics.smsSend],
        partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENTLY,
        maxBuffered: config.DISPATCH_MAX_BUFFERED,
        onAssigned: (partitions) => leases.take(partitions),
        handleConcurrently: (message, partition) => lanes.submit(message, partition),
      });
      return {
        consumers: [consumer],
        retention: { rules: [sendLedgerRetention(config.SEND_LEDGER_RETENTION_DAYS)], intervalMs: config.RETENTION_INTERVAL_MS },
      };
    },
  });
}
