import { randomBytes } from 'node:crypto';
import { allTopics } from '@sms-survey/contracts';
import { createKafka, provisionTopics } from '@sms-survey/kafka';
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

/** Every topic, under a prefix of its own, so tests never see each other's messages. */
export async function createTestTopics(): Promise<{ prefix: string; brokers: string[] }> {
  const prefix = uniqueName('t') + '.';
  const kafka = createKafka({ brokers: testEnv.kafkaBrokers, clientId: 'test-provisioner' }, silentLogger());
  await provisionTopics(kafka, allTopics, { prefix, partitions: Object.fromEntries(allTopics.map((t) => [t.name, 2])) });
  return { prefix, brokers: testEnv.kafkaBrokers };
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
