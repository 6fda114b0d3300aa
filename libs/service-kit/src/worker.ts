import Fastify from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  createPrismaClient,
  createSqlPool,
  poolAnswers,
  databaseErrorVerdict,
  poolSql,
  startRetention,
  type PrismaClient,
  type RetentionRule,
} from '@sms-survey/db';
import type pg from 'pg';
import {
  createBrokerProbe,
  createConsumerLagMetrics,
  createConsumerMetrics,
  createEventConsumer,
  createEventProducer,
  createKafka,
  type EventConsumer,
  type EventConsumerOptions,
  type EventProducer,
} from '@sms-survey/kafka';
import type { TopicDefinition } from '@sms-survey/contracts';
import type { Kafka } from 'kafkajs';
import { retryUntilSuccess, type ServiceHandle } from './lifecycle.js';
import { createMetricsRegistry, registerOpsRoutes, sharedProbe, type ReadinessCheck } from './ops-routes.js';

export interface WorkerConfig {
  KAFKA_BROKERS: string[];
  KAFKA_TOPIC_PREFIX: string;
  DATABASE_URL: string;
  PORT: number;
  HOST: string;
  DATABASE_POOL_SIZE?: number;
  KAFKA_SESSION_TIMEOUT_MS?: number;
  KAFKA_HEARTBEAT_INTERVAL_MS?: number;
}

export interface WorkerDeps {
  kafka: Kafka;
  producer: EventProducer;
  prisma: PrismaClient;
  /** Plain pg connections, for hot paths in raw SQL (`inSqlTransaction`, `poolSql` from libs/db). */
  sqlPool: pg.Pool;
  registry: Registry;
  logger: Logger;
  /** kafkajs gave up: stop the process so its supervisor restarts it. */
  onFatal: (error: unknown) => void;
  /**
   * A consumer wired like every other in this service: its Kafka client, topic prefix, dead-letter producer,
   * logger, shared metrics, `onFatal`, and transient database errors treated as retryable.
   */
  consumer<T extends TopicDefinition>(options: ConsumerSpec<T>): EventConsumer;
}

type Wired = 'kafka' | 'topicPrefix' | 'producer' | 'logger' | 'metrics' | 'onFatal' | 'classifyError';
export type ConsumerSpec<T extends TopicDefinition> = Omit<EventConsumerOptions<T>, Wired>;

export interface WorkerParts {
  consumers: readonly EventConsumer[];
  readiness?: readonly ReadinessCheck[];
  /** Background work besides the consumers (timers, relays); started once Kafka is connected. */
  start?: () => void;
  /** Rows this service deletes once they are past their retention, every `intervalMs` (libs/db/src/retention.ts). */
  retention?: { rules: readonly RetentionRule[]; intervalMs: number };
  stop?: () => Promise<void>;
}

export interface WorkerHandle extends ServiceHandle {
  /** The ops server's address (healthz, readyz, metrics). */
  url: string;
  deps: WorkerDeps;
}

/**
 * The wiring every Kafka-consuming service shares: ops HTTP server first (so probes answer while the broker
 * is still missing), then Kafka connections retried until the broker is there, then consumers. `stop` stops
 * consuming (kafkajs finishes the in-flight message and commits), then closes everything.
 */
export async function startWorker(options: {
  name: string;
  config: WorkerConfig;
  logger: Logger;
  onFatal?: (error: unknown) => void;
  build: (deps: WorkerDeps) => WorkerParts | Promise<WorkerParts>;
}): Promise<WorkerHandle> {
  const { name, config, logger } = options;
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: name }, logger);
  const producer = createEventProducer(kafka, { topicPrefix: config.KAFKA_TOPIC_PREFIX });
  // Created on first use: a service whose queries all go through `sqlPool` never loads Prisma's query engine.
  let prisma: PrismaClient | undefined;
  const sqlPool = createSqlPool({
    databaseUrl: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    onIdleError: (e) => logger.warn({ err: e.message }, 'idle database connection closed'),
  });
  const registry = createMetricsRegistry(name);
  const broker = createBrokerProbe(kafka);
  const onFatal =
    options.onFatal ??
    ((error: unknown) => {
      logger.fatal({ err: error }, 'fatal Kafka error; exiting so the supervisor restarts us');
      process.exit(1);
    });
  const metrics = createConsumerMetrics(registry);
  // Every consumer's group and topics, for the lag metrics. The group id is prefixed as in consumer.ts.
  const lagGroups: { groupId: string; topics: string[] }[] = [];
  const deps: WorkerDeps = {
    kafka,
    producer,
    get prisma() {
      return (prisma ??= createPrismaClient({ databaseUrl: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE }));
    },
    sqlPool,
    registry,
    logger,
    onFatal,
    consumer: (spec) => {
      const prefix = config.KAFKA_TOPIC_PREFIX;
      lagGroups.push({ groupId: prefix + spec.groupId, topics: spec.topics.map((t) => prefix + t.name) });
      return createEventConsumer({
        sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
        heartbeatIntervalMs: config.KAFKA_HEARTBEAT_INTERVAL_MS,
        ...spec,
        kafka,
        topicPrefix: prefix,
        producer,
        logger,
        metrics,
        onFatal,
        classifyError: databaseErrorVerdict,
      });
    },
  };
  const parts = await options.build(deps);
  // Read on scrape (cached, bounded; libs/kafka/src/consumer-lag.ts), so /metrics answers while Kafka is missing.
  const lag = lagGroups.length > 0 ? createConsumerLagMetrics(kafka, registry, { groups: lagGroups, logger }) : undefined;
  let connected = false;
  let retention: { stop(): Promise<void> } | undefined;

  const ops = Fastify({ logger: false });
  registerOpsRoutes(ops, {
    registry,
    checks: [
      { name: 'kafka-broker', check: () => broker.check() },
      { name: 'database', check: sharedProbe(() => poolAnswers(sqlPool)) },
      { name: 'kafka-consumers', check: () => connected && parts.consumers.every((c) => c.isRunning()) },
      ...(parts.readiness ?? []),
    ],
  });
  const url = await ops.listen({ port: config.PORT, host: config.HOST });
  logger.info({ url }, `${name} ops server listening`);

  const connecting = new AbortController();
  const connection = retryUntilSuccess(
    'connect to Kafka',
    async () => {
      await producer.connect();
      for (const c of parts.consumers) await c.start();
      return true;
    },
    logger,
    connecting.signal,
  ).then((ok) => {
    if (!ok) return;
    connected = true;
    parts.start?.();
    if (parts.retention) {
      retention = startRetention(poolSql(sqlPool), parts.retention.rules, {
        intervalMs: parts.retention.intervalMs,
        onPurged: (table, rows) => logger.info({ table, rows }, 'rows past their retention deleted'),
        onError: (e) => logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'retention purge failed; retrying at the next interval'),
      });
    }
    logger.info(`${name} consuming`);
  });

  return {
    url,
    deps,
    async stop() {
      connecting.abort();
      await Promise.all(parts.consumers.map((c) => c.stop()));
      await connection;
      await retention?.stop();
      await parts.stop?.();
      await producer.disconnect();
      await lag?.stop();
      await broker.close();
      await prisma?.$disconnect();
      await sqlPool.end();
      await ops.close();
    },
  };
}
