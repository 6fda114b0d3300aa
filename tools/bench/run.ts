/**
 * The benchmark runner (`npm run bench` → scripts/bench.sh → this). scripts/bench.sh has made sure Kafka and
 * PostgreSQL run, migrated the bench database, created the topics under a prefix of their own and built the
 * services. This starts the services as separate processes (node apps/<service>/dist/main.js) and the Twilio
 * simulator, runs the scenarios with bounded, self-stopping load, prints the table, writes
 * .local/bench/results.json, and stops everything it started. It exits 0 even when a target is missed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { BenchContext, type BenchConfig } from './context.js';
import { buildRows, formatTable } from './report.js';
import { dispatcherScenario, skipToEnd, type DispatcherResults } from './scenario-dispatcher.js';
import { gatewayScenario, type GatewayResults } from './scenario-gateway.js';
import { repliesScenario, type RepliesResults } from './scenario-replies.js';
import { hotSenderScenario, replicasScenario, type HotSenderResults, type ReplicaResults, type StartDispatcher } from './scenario-scale.js';
import { freePort } from '@sms-survey/testing';
import { ProcessRegistry, type Footprint, type RunningProcess } from './services.js';

const env = process.env;
const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
const quick = env['BENCH_QUICK'] === '1';

const root = env['BENCH_ROOT'] ?? process.cwd();
const databaseUrl = env['BENCH_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/sms_survey_bench';
const config: BenchConfig = {
  root,
  // Separate directories (and BENCH_DATABASE_URL) let two runs share a machine without stopping each other's processes.
  outDir: env['BENCH_OUT_DIR'] ?? join(root, '.local/bench'),
  kafkaBrokers: (env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((b) => b.trim()),
  topicPrefix: env['BENCH_TOPIC_PREFIX'] ?? 'bench.local.',
  databaseUrl,
  databaseName: new URL(databaseUrl).pathname.slice(1),
  duration: num('BENCH_DURATION', quick ? 2 : 10),
  warmup: num('BENCH_WARMUP', quick ? 1 : 2),
  rounds: Math.max(1, num('BENCH_ROUNDS', 2)),
  connections: num('BENCH_CONNECTIONS', 50),
  gatewayRate: num('BENCH_GATEWAY_RATE', 1000),
  replyRate: num('BENCH_REPLY_RATE', 300),
  customers: Math.min(10_000, num('BENCH_CUSTOMERS', quick ? 500 : 2000)),
  replyBurst: num('BENCH_REPLY_BURST', quick ? 1000 : 4000),
  senders: Math.min(10_000, num('BENCH_SENDERS', quick ? 200 : 1000)),
  perSender: num('BENCH_PER_SENDER', quick ? 3 : 10),
  apiKey: 'bench-api-key-0123456789',
  pgbenchPath: env['PGBENCH'] ?? 'pgbench',
};
const only = new Set((env['BENCH_ONLY'] ?? 'gateway,replies,dispatcher,hot-sender,replicas').split(',').map((s) => s.trim()));

mkdirSync(join(config.outDir, 'logs'), { recursive: true });
const registry = new ProcessRegistry(join(config.outDir, 'pids'), join(config.outDir, 'logs'));
const kafka = new Kafka({ clientId: 'bench', brokers: config.kafkaBrokers, logLevel: logLevel.NOTHING });
const ctx = new BenchContext(config, registry, kafka);

function machine() {
  const sh = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    } catch (e) {
      return String((e as { stderr?: string }).stderr ?? '').trim() || 'unknown';
    }
  };
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  let javaVersion: string;
  try {
    const out = execFileSync('sh', ['-c', 'java -version 2>&1'], { encoding: 'utf8' });
    javaVersion = out.split('\n')[0]?.trim() ?? 'unknown';
  } catch {
    javaVersion = 'not installed';
  }
  return {
    nproc: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpuModel: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? 'unknown',
    kernel: sh('uname', ['-r']),
    node: process.version,
    java: javaVersion,
    kafka: env['KAFKA_VERSION'] ?? 'unknown',
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    commit: sh('git', ['-C', root, 'rev-parse', '--short', 'HEAD']),
    workTreeDirty: sh('git', ['-C', root, 'status', '--porcelain']).length > 0,
  };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const db = new pg.Client({ connectionString: config.databaseUrl });
  await db.connect();
  const postgresVersion = String((await db.query('SELECT version()')).rows[0]?.version ?? 'unknown');
  await db.end();
  const info = { ...machine(), postgres: postgresVersion };
  ctx.log(`machine: ${info.nproc} cores (${info.cpuModel}), ${info.memoryGiB} GiB, node ${info.node}, load average ${info.loadAverageAtStart.join(' ')}`);
  ctx.log(`topics under "${config.topicPrefix}", database ${config.databaseName}${quick ? ' (quick smoke run)' : ''}`);

  const ports = { simulator: await freePort(), gateway: await freePort(), orchestrator: await freePort(), dispatcher: await freePort(), insights: await freePort(), bare: await freePort() };
  const simulatorUrl = `http://127.0.0.1:${ports.simulator}`;
  const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && !/^(TWILIO_|SIMULATOR_|KAFKA_|DATABASE_|PORT$|HOST$|SURVEYS_DIR$|API_KEYS$|SENDER_RATES$|SMS_|NODE_OPTIONS$|BENCH_)/.test(k)) base[k] = v;
  }
  const serviceEnv: Record<string, string> = {
    ...base,
    KAFKA_BROKERS: config.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: config.topicPrefix,
    DATABASE_URL: config.databaseUrl,
    TWILIO_API_BASE_URL: simulatorUrl,
    PUBLIC_BASE_URL: gatewayUrl,
    STATUS_CALLBACK_BASE_URL: gatewayUrl,
    HOST: '127.0.0.1',
    LOG_LEVEL: env['BENCH_LOG_LEVEL'] ?? 'info',
    API_KEYS: config.apiKey,
  };
  // Extra settings for one service, e.g. BENCH_ENV_SMS_DISPATCHER="DISPATCH_MAX_BUFFERED=50000 KAFKA_PARTITIONS_CONCURRENTLY=6".
  const overrides = (service: string) =>
    Object.fromEntries(
      (env[`BENCH_ENV_${service.toUpperCase().replace(/-/g, '_')}`] ?? '')
        .split(/\s+/)
        .filter(Boolean)
        .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
    );
  // `name` names the process (its log, its CPU line); `service` is what it runs (a second replica: same service, another name).
  const startService = async (name: string, port: number, load: string, extra: Record<string, string> = {}, service = name): Promise<RunningProcess> => {
    const p = await registry.start({
      name,
      service,
      command: process.execPath,
      // Node flags for one service, e.g. BENCH_NODE_ARGS_SMS_DISPATCHER="--cpu-prof --cpu-prof-dir=.local/bench/prof".
      args: [...(env[`BENCH_NODE_ARGS_${service.toUpperCase().replace(/-/g, '_')}`] ?? '').split(/\s+/).filter(Boolean), join(root, `apps/${service}/dist/main.js`)],
      env: { ...serviceEnv, PORT: String(port), ...extra, ...overrides(service) },
      url: `http://127.0.0.1:${port}`,
      readyUrl: `http://127.0.0.1:${port}/readyz`,
      metricsUrl: `http://127.0.0.1:${port}/metrics`,
      load,
    });
    ctx.processes.set(name, p);
    ctx.log(`${name} ready in ${p.footprint.readyMs.toFixed(0)} ms (pid ${p.pid})`);
    return p;
  };
  const stop = async (p: RunningProcess | undefined) => {
    if (!p) return;
    await p.stop();
    ctx.processes.delete(p.name);
  };

  const footprints: Footprint[] = [];
  let gatewayResults: GatewayResults | undefined;
  let repliesResults: RepliesResults | undefined;
  let dispatcherResults: DispatcherResults | undefined;
  let hotSenderResults: HotSenderResults | undefined;
  let replicaResults: ReplicaResults | undefined;
  const failures: string[] = [];

  const simulator = await registry.start({
    name: 'twilio-simulator',
    command: process.execPath,
    args: [join(root, 'apps/twilio-simulator/dist/main.js')],
    env: {
      ...base,
      SIMULATOR_PORT: String(ports.simulator),
      SIMULATOR_HOST: '127.0.0.1',
      SIMULATOR_INBOUND_WEBHOOK_URL: `${gatewayUrl}/twilio/messaging/inbound`,
      // No delivery callbacks during the run: they would add gateway and orchestrator work to scenario 3.
      SIMULATOR_STATUS_CALLBACK_DELAY_MS: env['BENCH_STATUS_CALLBACK_DELAY_MS'] ?? '3600000',
    },
    url: simulatorUrl,
    readyUrl: `${simulatorUrl}/__sim/health`,
    load: 'Twilio stand-in for all scenarios',
  });
  ctx.processes.set('twilio-simulator', simulator);
  footprints.push(simulator.footprint);

  let gateway: RunningProcess | undefined;
  const ensureGateway = async () => (gateway ??= await startService('ingest-gateway', ports.gateway, 'scenario 1 and the replies of scenario 2'));

  if (only.has('gateway')) {
    try {
      const startBare = async () => {
        const p = await registry.start({
          name: 'bare-fastify',
          command: process.execPath,
          args: ['--import', 'tsx', join(root, 'tools/bench/bare-fastify.ts')],
          env: { ...base, PORT: String(ports.bare), HOST: '127.0.0.1' },
          url: `http://127.0.0.1:${ports.bare}`,
          readyUrl: `http://127.0.0.1:${ports.bare}/readyz`,
          load: 'scenario 1 baseline',
        });
        ctx.processes.set('bare-fastify', p);
        footprints.push(p.footprint);
        return p;
      };
      ctx.log('scenario 1: gateway (the orchestrator is not running; it later skips these webhooks)');
      const { results } = await gatewayScenario(ctx, gatewayUrl, { bare: startBare, gateway: ensureGateway });
      gatewayResults = results;
    } catch (e) {
      failures.push(`scenario 1: ${(e as Error).stack ?? String(e)}`);
      ctx.log(`scenario 1 failed: ${(e as Error).message}`);
    }
  }

  let orchestrator: RunningProcess | undefined;
  let insights: RunningProcess | undefined;
  if (only.has('replies')) {
    try {
      ctx.log('scenario 2: survey replies end to end (the dispatcher is not running; it later skips these send commands)');
      const gw = await ensureGateway();
      // The orchestrator starts after scenario 1's webhooks: its group begins at the end of the inbound topic.
      await skipToEnd(ctx, `${config.topicPrefix}survey-orchestrator`, [`${config.topicPrefix}sms.inbound.v1`]);
      repliesResults = await repliesScenario(ctx, gw.url, async () => {
        [orchestrator, insights] = await Promise.all([
          startService('survey-orchestrator', ports.orchestrator, 'scenario 2'),
          startService('insights-sync', ports.insights, 'scenario 2: follow-ups for each answer; no session ends'),
        ]);
      });
    } catch (e) {
      failures.push(`scenario 2: ${(e as Error).stack ?? String(e)}`);
      ctx.log(`scenario 2 failed: ${(e as Error).message}`);
    }
  }
  for (const p of [gateway, orchestrator, insights]) {
    if (!p) continue;
    await stop(p);
    footprints.push(p.footprint);
  }

  if (only.has('dispatcher')) {
    let dispatcher: RunningProcess | undefined;
    try {
      ctx.log('scenario 3: dispatcher with a backlog (gateway, orchestrator and insights-sync stopped; status callbacks held back)');
      await skipToEnd(ctx, `${config.topicPrefix}sms-dispatcher`, [`${config.topicPrefix}sms.send.v1`]);
      const result = await dispatcherScenario(ctx, simulatorUrl, async () => {
        dispatcher = await startService('sms-dispatcher', ports.dispatcher, `scenario 3: ${config.senders} senders, ${config.senders * config.perSender} commands`);
        return dispatcher;
      });
      dispatcherResults = result.results;
    } catch (e) {
      failures.push(`scenario 3: ${(e as Error).stack ?? String(e)}`);
      ctx.log(`scenario 3 failed: ${(e as Error).message}`);
    }
    if (dispatcher) {
      await stop(dispatcher);
      footprints.push(dispatcher.footprint);
    }
  }
  // Scenarios 5 and 6: dispatcher processes of their own (one or two at a time), stopped when each run ends.
  const startDispatcher: StartDispatcher = async (name, extra) => {
    const p = await startService(name, await freePort(), name === 'sms-dispatcher' ? 'scenarios 5, 6' : 'scenario 6, second replica', extra, 'sms-dispatcher');
    const stopProcess = p.stop.bind(p);
    p.stop = async (graceMs?: number) => {
      await stopProcess(graceMs);
      if (ctx.processes.get(name) === p) ctx.processes.delete(name);
    };
    return p;
  };
  if (only.has('hot-sender')) {
    try {
      ctx.log('scenario 5: one hot sender with a backlog, other senders arriving meanwhile (dispatcher and simulator only)');
      hotSenderResults = await hotSenderScenario(ctx, simulatorUrl, startDispatcher);
    } catch (e) {
      failures.push(`scenario 5: ${(e as Error).stack ?? String(e)}`);
      ctx.log(`scenario 5 failed: ${(e as Error).message}`);
    }
  }
  if (only.has('replicas')) {
    try {
      ctx.log('scenario 6: aggregate throughput with 2 dispatcher replicas against 1');
      replicaResults = await replicasScenario(ctx, simulatorUrl, startDispatcher);
    } catch (e) {
      failures.push(`scenario 6: ${(e as Error).stack ?? String(e)}`);
      ctx.log(`scenario 6 failed: ${(e as Error).message}`);
    }
  }
  await stop(simulator);

  const order = ['ingest-gateway', 'survey-orchestrator', 'sms-dispatcher', 'insights-sync', 'twilio-simulator', 'bare-fastify'];
  footprints.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  const rows = buildRows({ gateway: gatewayResults, replies: repliesResults, dispatcher: dispatcherResults, hotSender: hotSenderResults, replicas: replicaResults, footprints });
  const table = formatTable(rows);
  const results = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    quick,
    machine: { ...info, loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100) },
    config: { ...config, only: [...only] },
    rows,
    scenarios: { gateway: gatewayResults, replies: repliesResults, dispatcher: dispatcherResults, hotSender: hotSenderResults, replicas: replicaResults },
    footprints,
    failures,
  };
  writeFileSync(join(config.outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(`\n${table}\n\n`);
  const missed = rows.filter((r) => r.pass === false).length;
  process.stdout.write(
    `${rows.filter((r) => r.pass === true).length} targets met, ${missed} missed${failures.length ? `, ${failures.length} scenario(s) failed (see above)` : ''}. ` +
      `Results: ${join(config.outDir, 'results.json')}, logs: ${join(config.outDir, 'logs')}\n`,
  );
}

async function cleanUp(): Promise<void> {
  await registry.stopAll();
  // The bench topics and consumer groups: a broker keeps every partition's files open.
  const admin = kafka.admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(config.topicPrefix));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 10_000 });
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(config.topicPrefix));
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
  } catch {
    // Best effort: topics left behind cost disk, not correctness.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    ctx.log(`${signal}: stopping what the benchmark started`);
    void cleanUp().finally(() => process.exit(130));
  });
}

try {
  await main();
} catch (e) {
  ctx.log(`benchmark failed: ${(e as Error).stack ?? String(e)}`);
} finally {
  if (!interrupted) await cleanUp();
}
// Benchmarks never fail the build: a missed target or a failed scenario is reported, not an exit code.
process.exit(0);
