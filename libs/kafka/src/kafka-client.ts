import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';

export interface KafkaClientConfig {
  brokers: string[];
  clientId: string;
}

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * kafkajs logs these at error level while a broker is still starting or a group coordinator is moving; they
 * are retried and resolve by themselves, so they are warnings here (a healthy start logs no error).
 */
const TRANSIENT_KAFKAJS_ERRORS = /coordinator is (loading|not available)|group coordinator is not available|There is no leader for this topic-partition|This server is not the leader|leadership election|Connection error|Request .* timed out/i;

/** A kafkajs client whose own log lines go through our JSON logger. */
export function createKafka(config: KafkaClientConfig, logger: Logger): Kafka {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log, namespace }: LogEntry) => {
        const { message, ...extra } = log;
        const error = typeof extra.error === 'string' ? extra.error : '';
        const transient = level === logLevel.ERROR && TRANSIENT_KAFKAJS_ERRORS.test(`${message} ${error}`);
        kafkaLogger[transient ? 'warn' : (levels[level] ?? 'info')]({ namespace, ...extra }, message);
      },
  });
}
