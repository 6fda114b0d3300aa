// The sms-survey/migrate image's command: brings PostgreSQL and Kafka to what this version of the services
// needs, before they start (a Kubernetes pre-install/pre-upgrade Job, a compose service that runs once).
//
//   migrate            both, the database first
//   migrate database   creates the database if missing, then `prisma migrate deploy`
//   migrate topics     creates every topic and its dead-letter topic; grows partition counts that are lower
//
// Idempotent, and safe to run from several pods at once. Reads DATABASE_URL, KAFKA_BROKERS, KAFKA_TOPIC_PREFIX,
// KAFKA_TOPIC_PARTITIONS, KAFKA_REPLICATION_FACTOR and MIGRATE_TIMEOUT_SECONDS (src/config.ts).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { allTopics } from '@sms-survey/contracts';
import { migrateDatabase, safeDatabaseUrl } from '@sms-survey/db';
import { createKafka, provisionTopics } from '@sms-survey/kafka';
import { loadMigrateConfig, type MigrateConfig } from './config.js';

const USAGE = 'usage: migrate [database|topics]   (no argument: both, the database first)';

const here = dirname(fileURLToPath(import.meta.url));
/** Bundled next to this file with the schema and migrations (dist/); run from source, libs/db's own. */
const bundledConfig = join(here, 'prisma.config.js');
const prismaConfigFile = existsSync(bundledConfig) ? bundledConfig : join(here, '..', '..', '..', 'libs', 'db', 'prisma.config.ts');

const log = (line: string) => console.log(`migrate: ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Errors that mean "cannot reach it yet" rather than "it said no". */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', '57P03']);
function unreachable(e: unknown): boolean {
  const err = e as { code?: string; message?: string; errors?: unknown[] };
  if (err?.code && NETWORK_CODES.has(err.code)) return true;
  if (Array.isArray(err?.errors)) return err.errors.some(unreachable); // AggregateError (several addresses)
  return /Connection terminated|timeout expired/i.test(err?.message ?? '');
}

/** Runs `attempt` until it succeeds, `retry(error)` says no, or the timeout has passed. */
async function withRetry<T>(what: string, config: MigrateConfig, attempt: () => Promise<T>, retry: (e: unknown) => boolean): Promise<T> {
  const deadline = Date.now() + config.MIGRATE_TIMEOUT_SECONDS * 1000;
  for (let delay = 1000; ; delay = Math.min(delay * 2, 10_000)) {
    try {
      return await attempt();
    } catch (e) {
      if (!retry(e) || Date.now() + delay > deadline) throw e;
      log(`${what}: ${(e as Error).message || String(e)}; again in ${delay / 1000} s`);
      await sleep(delay);
    }
  }
}

async function database(config: MigrateConfig): Promise<void> {
  log(`database ${safeDatabaseUrl(config.DATABASE_URL)}`);
  // Only failures to connect are retried; a migration that fails stops here (prisma has printed why).
  await withRetry('database', config, () => migrateDatabase({ databaseUrl: config.DATABASE_URL, configFile: prismaConfigFile, log }), unreachable);
}

async function topics(config: MigrateConfig): Promise<void> {
  log(`topics on ${config.KAFKA_BROKERS.join(',')}${config.KAFKA_TOPIC_PREFIX ? ` with prefix ${config.KAFKA_TOPIC_PREFIX}` : ''}`);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'sms-survey-migrate' }, pino({ level: 'error' }));
  // Every failure is retried: provisioning is idempotent, and a concurrent run that created a topic or grew its
  // partitions first (INVALID_PARTITIONS: "already has N partitions") is settled by looking again.
  const report = await withRetry(
    'topics',
    config,
    () =>
      provisionTopics(kafka, allTopics, {
        prefix: config.KAFKA_TOPIC_PREFIX,
        partitions: config.KAFKA_TOPIC_PARTITIONS,
        replicationFactor: config.KAFKA_REPLICATION_FACTOR,
      }),
    () => true,
  );
  log(`topics: ${report.created.length} created, ${report.partitionsIncreased.length} grown, ${report.existing.length} already as configured`);
  for (const t of report.created) log(`  created ${t}`);
  for (const t of report.partitionsIncreased) log(`  grew ${t}`);
}

async function main(args: string[]): Promise<number> {
  const [command = 'all', ...rest] = args;
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (rest.length > 0 || !['all', 'database', 'topics'].includes(command)) {
    console.error(USAGE);
    return 2;
  }
  const config = loadMigrateConfig(undefined, allTopics.map((t) => t.name));
  if (command !== 'topics') await database(config);
  if (command !== 'database') await topics(config);
  log('done');
  return 0;
}

// PID 1 in a container has no default signal handling: stop when told to.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(128 + (signal === 'SIGTERM' ? 15 : 2)));

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`migrate: failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
