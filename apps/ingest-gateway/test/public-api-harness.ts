import { readFileSync } from 'node:fs';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Kafka } from 'kafkajs';
import { createPrismaClient, createSurveyDefinitionRepository, type PrismaClient, type SurveyDefinitionRepository } from '@sms-survey/db';
import { createEventProducer, createKafka, type EventProducer } from '@sms-survey/kafka';
import { createMetricsRegistry } from '@sms-survey/service-kit';
import type { SurveyDefinitionInput } from '@sms-survey/survey-domain';
import { createTestDatabase, createTestTopics, deleteTopicsWithPrefix, readAll as readTopic, silentLogger, uniqueName, type TestDatabase } from '@sms-survey/testing';
import { buildGateway, type SuppressionList } from '../src/index.js';

// Helpers for the public API's integration tests: a gateway built with `buildGateway` on a test database of its
// own and, where a test publishes, topics under a fresh prefix on the real broker.

export const API_KEY = 'test-api-key-primary-0123';
export const SECOND_API_KEY = 'test-api-key-rotated-4567';

/** A survey example from examples/surveys, as written. */
export function example(name: 'csat-en-no' | 'nps' | 'csat-sv' | 'csat-es'): SurveyDefinitionInput & Record<string, unknown> {
  const url = new URL(`../../../examples/surveys/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as SurveyDefinitionInput & Record<string, unknown>;
}

export interface Database {
  url: string;
  prisma: PrismaClient;
  surveys: SurveyDefinitionRepository;
  close(): Promise<void>;
}

/** A fresh migrated database with a Prisma client and the survey repository on it. */
export async function openDatabase(): Promise<Database> {
  const database: TestDatabase = await createTestDatabase();
  const prisma = createPrismaClient({ databaseUrl: database.url, poolSize: 3 });
  return {
    url: database.url,
    prisma,
    surveys: createSurveyDefinitionRepository(prisma),
    async close() {
      await prisma.$disconnect();
      await database.drop();
    },
  };
}

export interface ReadEvent {
  key: string | null;
  type: string | undefined;
  event: Record<string, unknown> & { id: string; payload: Record<string, unknown> };
}

export interface ApiGateway {
  app: FastifyInstance;
  /** Topic prefix ('' when the gateway was built without topics). */
  prefix: string;
  /** Every event now on `<prefix><topicName>`, in partition/offset order. */
  events(topicName: string): Promise<ReadEvent[]>;
  /** An authorized request. */
  request(method: 'GET' | 'PUT' | 'POST', url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/**
 * The gateway app on `surveys`. With `topics`, it publishes to fresh topics through a connected producer;
 * `producer` replaces that (a broken one, say); with neither it gets an unconnected producer it never uses.
 * Without `suppressions`, no customer is suppressed.
 */
export async function apiGateway(
  surveys: SurveyDefinitionRepository,
  options: { topics?: boolean; producer?: EventProducer; suppressions?: SuppressionList } = {},
): Promise<ApiGateway> {
  const closers: (() => Promise<unknown>)[] = [];
  const logger = silentLogger();
  let prefix = '';
  let kafka: Kafka | undefined;
  let producer = options.producer;
  if (!producer) {
    const topics = options.topics ? await createTestTopics() : { prefix: uniqueName('unused') + '.', brokers: ['127.0.0.1:9092'] };
    prefix = topics.prefix;
    kafka = createKafka({ brokers: topics.brokers, clientId: uniqueName('gateway-api-') }, logger);
    const created = createEventProducer(kafka, { topicPrefix: prefix, publishTimeoutMs: 5000 });
    if (options.topics) {
      const admin = kafka;
      // Test topics are never reused, and each holds broker file handles: delete them afterwards.
      closers.push(() => deleteTopicsWithPrefix(admin, prefix));
      await created.connect();
      closers.push(() => created.disconnect());
    }
    producer = created;
  }
  const app = await buildGateway({
    logger,
    producer,
    registry: createMetricsRegistry('ingest-gateway'),
    readiness: [],
    publicBaseUrl: 'https://surveys.example.com',
    twilioAuthTokens: ['twilio-auth-token-0123'],
    maxBodyBytes: 64 * 1024,
    apiKeys: [API_KEY, SECOND_API_KEY],
    surveys,
    suppressions: options.suppressions ?? { isSuppressed: async () => false },
  });
  closers.push(() => app.close());
  return {
    app,
    prefix,
    async events(topicName) {
      if (!kafka) throw new Error('this gateway was built without topics');
      const messages = await readAll(kafka, prefix + topicName);
      return messages.map((m) => ({
        key: m.key,
        type: m.type,
        event: JSON.parse(m.value) as ReadEvent['event'],
      }));
    },
    request(method, url, body, headers = {}) {
      return app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${API_KEY}`, ...headers },
        ...(body === undefined ? {} : { payload: body as object }),
      });
    },
    async close() {
      while (closers.length > 0) await closers.pop()!().catch(() => undefined);
    },
  };
}

/** Deletes every topic under `prefix` (from `createTestTopics`). */
export async function deleteTestTopics(prefix: string, brokers: string[]): Promise<void> {
  await deleteTopicsWithPrefix(createKafka({ brokers, clientId: uniqueName('topic-cleaner-') }, silentLogger()), prefix);
}

/** Everything in `topic` right now, with the message type header and the value as text. */
async function readAll(kafka: Kafka, topic: string) {
  return (await readTopic(kafka, topic)).map((m) => ({
    partition: m.partition,
    offset: m.offset,
    key: m.key,
    type: m.headers['message-type']?.toString(),
    value: m.value?.toString('utf8') ?? 'null',
  }));
}
