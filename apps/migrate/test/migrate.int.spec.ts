import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { allTopics, deadLetterTopicName } from '@sms-survey/contracts';
import { deleteTopicsWithPrefix, testEnv, uniqueName } from '@sms-survey/testing';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const migrations = readdirSync(join(appDir, '../../libs/db/prisma/migrations'), { withFileTypes: true }).filter((d) => d.isDirectory()).length;

/** Runs the migrate command from source, as the image runs its bundle. */
function runMigrate(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: appDir,
      env: { ...process.env, ...env, MIGRATE_TIMEOUT_SECONDS: '30' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('migrate command', () => {
  const databaseName = uniqueName('sms_survey_migrate_');
  const databaseUrl = (() => {
    const u = new URL(testEnv.templateDatabaseUrl);
    u.pathname = `/${databaseName}`;
    return u.toString();
  })();
  const prefix = uniqueName('t') + '.';
  const kafka = new Kafka({ clientId: 'migrate-test', brokers: testEnv.kafkaBrokers, logLevel: logLevel.NOTHING });
  const env = { DATABASE_URL: databaseUrl, KAFKA_BROKERS: testEnv.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: prefix, KAFKA_REPLICATION_FACTOR: '1' };

  afterAll(async () => {
    await deleteTopicsWithPrefix(kafka, prefix);
    const admin = new URL(databaseUrl);
    admin.pathname = '/postgres';
    const c = new pg.Client({ connectionString: admin.toString() });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
    await c.end();
  });

  it('two at once on a new database and cluster: both succeed, everything is created once', async () => {
    const runs = await Promise.all([runMigrate(env), runMigrate(env)]);
    for (const run of runs) expect(run.code, run.output).toBe(0);
    expect(runs.filter((r) => r.output.includes('created database')), 'exactly one run creates the database').toHaveLength(1);

    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const applied = await db.query<{ n: number; distinct: number; unfinished: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT migration_name)::int AS distinct, count(*) FILTER (WHERE finished_at IS NULL)::int AS unfinished FROM _prisma_migrations',
    );
    await db.end();
    expect(applied.rows[0]).toEqual({ n: migrations, distinct: migrations, unfinished: 0 });

    const admin = kafka.admin();
    await admin.connect();
    const names = allTopics.flatMap((t) => [t.name, deadLetterTopicName(t.name)]).map((n) => prefix + n);
    const meta = await admin.fetchTopicMetadata({ topics: names });
    await admin.disconnect();
    for (const t of allTopics) expect(meta.topics.find((m) => m.name === prefix + t.name)?.partitions).toHaveLength(t.partitions);
  }, 90_000);

  it('again, two at once growing a topic: both succeed; the subcommands run one step each', async () => {
    const topic = allTopics[0]!;
    const grown = { ...env, KAFKA_TOPIC_PARTITIONS: `${topic.name}=${topic.partitions + 2}` };
    const runs = await Promise.all([runMigrate(grown, ['topics']), runMigrate(grown, ['topics'])]);
    for (const run of runs) {
      expect(run.code, run.output).toBe(0);
      expect(run.output).not.toContain('database');
    }
    const admin = kafka.admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [prefix + topic.name] });
    await admin.disconnect();
    expect(meta.topics[0]!.partitions).toHaveLength(topic.partitions + 2);

    const db = await runMigrate(env, ['database']);
    expect(db.code, db.output).toBe(0);
    expect(db.output).toContain('No pending migrations to apply');
    expect(db.output).not.toContain('topics');
  }, 90_000);

  it('refuses an unknown subcommand and a partition count for a topic that does not exist', async () => {
    expect((await runMigrate(env, ['sideways'])).code).toBe(2);
    const bad = await runMigrate({ ...env, KAFKA_TOPIC_PARTITIONS: 'no.such.topic=3' }, ['topics']);
    expect(bad.code).toBe(1);
    expect(bad.output).toContain('KAFKA_TOPIC_PARTITIONS: no topic is named no.such.topic');
  }, 60_000);
});
