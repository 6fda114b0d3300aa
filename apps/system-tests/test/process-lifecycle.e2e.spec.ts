import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, createTestTopics, eventually, type TestDatabase, type TestTopics } from '@sms-survey/testing';
import { childProcessBaseEnv, freePort } from '../src/index.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs a service's real entry point (src/main.ts) as its own process, as a supervisor would. */
function runService(app: string, env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', join('apps', app, 'src', 'main.ts')], {
    cwd: repoRoot,
    env: { PATH: childProcessBaseEnv.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => output, exited };
}

describe('service processes', () => {
  let database: TestDatabase;
  let topics: TestTopics;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    topics = await createTestTopics();
    env = { KAFKA_BROKERS: topics.brokers.join(','), KAFKA_TOPIC_PREFIX: topics.prefix, DATABASE_URL: database.url };
  });

  afterAll(async () => {
    await database?.drop();
    await topics?.delete();
  });

  it('a bad variable stops the start with a message naming it, and a non-zero exit', async () => {
    const run = runService('survey-orchestrator', { ...env, DATABASE_URL: 'mysql://nope', KAFKA_PARTITIONS_CONCURRENTLY: 'many' });
    const { code } = await run.exited;
    expect(code).not.toBe(0);
    expect(run.output()).toContain('DATABASE_URL');
    expect(run.output()).toContain('KAFKA_PARTITIONS_CONCURRENTLY');
  });

  it('not ready while its database or broker does not answer, alive all the same', async () => {
    const port = await freePort();
    const deadBroker = `127.0.0.1:${await freePort()}`;
    const run = runService('sms-dispatcher', { ...env, PORT: String(port), KAFKA_BROKERS: deadBroker, DATABASE_URL: database.url.replace(/\/[^/]+$/, '/no_such_database') });
    try {
      await eventually(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok, { what: 'alive' });
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { failing: string[] };
      expect(body.failing).toEqual(expect.arrayContaining(['kafka-broker', 'database', 'kafka-consumers']));
      run.child.kill('SIGTERM');
      expect((await run.exited).code).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  for (const app of ['survey-orchestrator', 'sms-dispatcher', 'insights-sync', 'ingest-gateway']) {
    it(`${app}: ready while broker and database answer; on SIGTERM exits 0 within 10 s`, async () => {
      const port = await freePort();
      const run = runService(app, { ...env, PORT: String(port) });
      try {
        await eventually(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok, { what: `${app} ready`, timeoutMs: 40_000 });
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        expect(metrics).toContain('process_resident_memory_bytes');
        const started = Date.now();
        run.child.kill('SIGTERM');
        const { code } = await run.exited;
        expect(code, run.output()).toBe(0);
        expect(Date.now() - started).toBeLessThan(10_000);
        // JSON lines only: every line a log record of this service.
        const lines = run.output().trim().split('\n').filter((l) => l.startsWith('{'));
        expect(lines.length).toBeGreaterThan(0);
        expect(JSON.parse(lines[0]!).service).toBe(app);
      } finally {
        run.child.kill('SIGKILL');
      }
    });
  }
});
