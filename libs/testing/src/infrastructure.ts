import { randomBytes } from 'node:crypto';
import { allTopics, deadLetterTopicName } from '@sms-survey/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { createServer, type AddressInfo } from 'node:net';
import pg from 'pg';
import pino from 'pino';
import { testEnv } from './test-env.js';

export const silentLogger = () => pino({ level: testEnv.logLevel });

export const uniqueName = (prefix: string) => `${prefix}${randomBytes(5).toString('hex')}`;

function adminUrl(): string {
  const url = new URL(testEnv.templateDatabaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file: cloned from the migrated template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = new URL(testEnv.templateDatabaseUrl).pathname.slice(1);
  const name = uniqueName('sms_survey_t_');
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } catch (e) {
    throw new Error(`cannot clone the test template database "${template}" (run the tests with \`npm test\`, which migrates it): ${(e as Error).message}`);
  } finally {
    await admin.end();
  }
  const url = new URL(testEnv.templateDatabaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl() });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export interface TestTopics {
  prefix: string;
  brokers: string[];
  /** Deletes the topics: a broker keeps every partition's files open, and test runs add up. */
  delete(): Promise<void>;
}

/** Every topic, under a prefix of its own, so tests never see each other's messages. */
export async function createTestTopics(): Promise<TestTopics> {
  const prefix = uniqueName('t') + '.';
  // kafkajs directly, not our provisioning code: @sms-survey/kafka's own tests use this helper.
  const kafka = new Kafka({ clientId: 'test-provisioner', brokers: testEnv.kafkaBrokers, logLevel: logLevel.NOTHING });
  const names = allTopics.flatMap((t) => [t.name, deadLetterTopicName(t.name)]).map((n) => prefix + n);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = names.map((topic) => ({ topic, numPartitions: 2, replicationFactor: 1 }));
    // Under load a fresh topic's metadata can lag ("does not host this topic-partition"): ask again.
    await eventually(
      async () => {
        await admin.createTopics({ waitForLeaders: true, topics });
        const meta = await admin.fetchTopicMetadata({ topics: names });
        return meta.topics.every((t) => t.partitions.length === 2 && t.partitions.every((p) => p.leader >= 0));
      },
      { what: 'test topics with leaders', timeoutMs: 30_000, intervalMs: 250 },
    );
  } finally {
    await admin.disconnect();
  }
  return {
    prefix,
    brokers: testEnv.kafkaBrokers,
    async delete() {
      const a = kafka.admin();
      await a.connect();
      try {
        await a.deleteTopics({ topics: names, timeout: 10_000 });
      } catch {
        // Best effort: a topic left behind costs disk, not correctness.
      } finally {
        await a.disconnect();
      }
    },
  };
}

/** Polls until `probe` returns a value (not undefined/null/false), or fails with the last value seen. */
export async function eventually<T>(probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, options: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value as T;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? 'condition'}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
