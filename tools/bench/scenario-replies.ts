/**
 * Scenario 2: survey replies end to end. Sessions exist beforehand (rows in the bench database, at question 1
 * of a 30-question survey saved through the API); each signed reply webhook is answered, and the time until
 * the next question's `sms.send.requested` appears on `<prefix>sms.send.v1` is measured (a watcher process
 * consumes it and matches it by customer and question number). Baseline: pgbench single-row updates on the
 * same PostgreSQL. The dispatcher is not running meanwhile (see run.ts).
 */
import { fork, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { cpuPerOp, describeCpu, type BenchContext, type CpuReport } from './context.js';
import { runLoad, runSteady, signedInbound, type LoadResult, type SignedRequest } from './load.js';
import type { SeenSend, WatcherMessage } from './send-watcher.js';
import { sleep, summarize, type LatencySummary } from './stats.js';

export const SURVEY_ID = 'bench-replies';
const QUESTIONS = 30;
const SENDER = '+4759440000';
const customer = (i: number) => `+1202555${String(i).padStart(4, '0')}`;
const CUSTOMER_PREFIX = '+1202555';

export interface PgbenchResult {
  tps: number;
  latencyAvgMs: number;
  clients: number;
  threads: number;
  seconds: number;
  rows: number;
  script: string;
  cpu: CpuReport;
}

export interface ReplyRun {
  /** Replies answered 200 by the gateway. */
  acknowledged: number;
  /** Of those, how many got their next question on sms.send.v1. */
  answered: number;
  /** Answered replies per second: from the first reply sent to the last next-question seen. */
  repliesPerSecond: number;
  /** Reply sent → next question received by the watcher. */
  latency: LatencySummary;
  /** Reply sent → CreateTime of the next question (stamped by the orchestrator's producer). */
  latencyToCreateTime: LatencySummary;
  /** Reply sent → CreateTime of its sms.inbound.received event (the gateway's part). */
  latencyToInboundEvent: LatencySummary;
  /** CreateTime of the inbound event → CreateTime of the next question (the orchestrator's part, with its fetch). */
  inboundEventToCreateTime: LatencySummary;
  load: LoadResult;
  cpu: CpuReport;
  /** CPU µs per answered reply of each process group. */
  cpuPerReplyUs: Record<string, number>;
}

export interface RepliesResults {
  customers: number;
  pgbench: PgbenchResult;
  steady: ReplyRun & { rate: number };
  max: ReplyRun & { burst: number; connections: number };
  settings: Record<string, string>;
  /** CPU of every process with all services up and no load. */
  idleCpu: CpuReport;
}

function benchSurvey() {
  const en = (text: string) => ({ en: text });
  return {
    id: SURVEY_ID,
    name: 'Benchmark survey: 30 scale questions',
    defaultLanguage: 'en',
    languages: ['en'],
    elements: Array.from({ length: QUESTIONS }, (_, i) => ({
      id: `q${i + 1}`,
      type: 'scale',
      min: 1,
      max: 5,
      text: en(`[Q${i + 1}] How satisfied were you with part ${i + 1} of our service?`),
    })),
    rules: [],
    texts: {
      completion: en('Thank you!'),
      unavailable: en('This survey is no longer available.'),
      notFound: en('Sorry, we could not find an active survey for this number.'),
      invalidReply: en('Sorry, we did not understand your reply.'),
      tooManyInvalid: en('We have ended the survey. Thank you for your time.'),
    },
  };
}

async function runPgbench(ctx: BenchContext, db: pg.Client): Promise<PgbenchResult> {
  const rows = 2000;
  await db.query('CREATE TABLE IF NOT EXISTS bench_pgbench_row (id int PRIMARY KEY, n bigint NOT NULL DEFAULT 0)');
  await db.query('TRUNCATE bench_pgbench_row');
  await db.query('INSERT INTO bench_pgbench_row (id) SELECT generate_series(1, $1::int)', [rows]);
  await db.query('VACUUM ANALYZE bench_pgbench_row');
  const script = `\\set id random(1, ${rows})\nUPDATE bench_pgbench_row SET n = n + 1 WHERE id = :id;\n`;
  const scriptFile = join(ctx.config.outDir, 'pgbench-update.sql');
  writeFileSync(scriptFile, script);
  const url = new URL(ctx.config.databaseUrl);
  const clients = 8;
  const threads = 2;
  const seconds = ctx.config.duration;
  const env = {
    ...process.env,
    PGHOST: url.hostname,
    PGPORT: url.port || '5432',
    PGUSER: decodeURIComponent(url.username || 'postgres'),
    PGDATABASE: url.pathname.slice(1),
    ...(url.password && { PGPASSWORD: decodeURIComponent(url.password) }),
  };
  let pid: number | undefined;
  ctx.extraPids.set('pgbench', () => (pid === undefined ? [] : [pid]));
  try {
    const { result: output, cpu } = await ctx.measure(
      () =>
        new Promise<string>((resolve, reject) => {
          const child = spawn(ctx.config.pgbenchPath, ['-n', '-c', String(clients), '-j', String(threads), '-T', String(seconds), '-f', scriptFile], { env });
          pid = child.pid;
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (out += d.toString()));
          child.on('error', reject);
          child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`pgbench exited ${code}:\n${out}`))));
        }),
    );
    const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(output)?.[1] ?? /tps = ([\d.]+)/.exec(output)?.[1] ?? Number.NaN);
    const latencyAvgMs = Number(/latency average = ([\d.]+) ms/.exec(output)?.[1] ?? Number.NaN);
    ctx.log(`pgbench single-row UPDATE (-c ${clients} -j ${threads} -T ${seconds}): ${tps.toFixed(0)} TPS, latency avg ${latencyAvgMs} ms; ${describeCpu(cpu)}`);
    return { tps, latencyAvgMs, clients, threads, seconds, rows, script: script.trim(), cpu };
  } finally {
    ctx.extraPids.delete('pgbench');
  }
}

/** The watcher process: every next-question send to a benchmark customer, as it appears on sms.send.v1. */
async function startWatcher(ctx: BenchContext) {
  const seen = new Map<string, SeenSend>();
  const inbound = new Map<string, number>();
  let lastSeenAt = Date.now();
  const child = fork(join(ctx.config.root, 'tools/bench/send-watcher.ts'), [
    JSON.stringify({ brokers: ctx.config.kafkaBrokers, topic: `${ctx.config.topicPrefix}sms.send.v1`, inboundTopic: `${ctx.config.topicPrefix}sms.inbound.v1`, groupId: `${ctx.config.topicPrefix}bench-send-watcher`, customerPrefix: CUSTOMER_PREFIX }),
  ], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pid = child.pid!;
  ctx.extraPids.set('bench (send watcher)', () => [pid]);
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (m: WatcherMessage) => {
      if (m.kind === 'ready') resolve();
      if (m.kind === 'error') reject(new Error(`send watcher: ${m.error}`));
      if (m.kind === 'inbound') for (const i of m.inbound) inbound.set(i.messageSid, i.createdAt);
      if (m.kind === 'sends') {
        lastSeenAt = Date.now();
        for (const s of m.sends) {
          const key = `${s.to}|${s.question}`;
          if (!seen.has(key)) seen.set(key, s);
        }
      }
    });
    setTimeout(() => reject(new Error('send watcher did not join its group within 30 s')), 30_000).unref();
  });
  await ready;
  return {
    seen,
    inbound,
    lastSeenAt: () => lastSeenAt,
    async stop() {
      ctx.extraPids.delete('bench (send watcher)');
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send('stop');
      await Promise.race([exited, sleep(10_000).then(() => child.kill('SIGKILL'))]);
    },
  };
}

interface Planned {
  customer: string;
  /** The question this reply's answer should bring. */
  expect: number;
  messageSid: string;
}

export async function repliesScenario(ctx: BenchContext, gatewayUrl: string, startServices: () => Promise<void>): Promise<RepliesResults> {
  const { config } = ctx;
  const db = new pg.Client({ connectionString: config.databaseUrl });
  await db.connect();
  try {
    // The survey through the public API, the sessions as rows (as the orchestrator would have left them after
    // sending question 1).
    const put = await fetch(`${gatewayUrl}/v1/surveys/${SURVEY_ID}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${config.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(benchSurvey()),
    });
    const saved = (await put.json()) as { version?: number };
    if (!put.ok || !saved.version) throw new Error(`saving the benchmark survey failed: HTTP ${put.status} ${JSON.stringify(saved)}`);
    await db.query('DELETE FROM survey_session WHERE customer LIKE $1', [`${CUSTOMER_PREFIX}%`]);
    await db.query(
      `INSERT INTO survey_session (id, survey_id, survey_version, customer, sender_number, status, current_element_id, language, expires_at, started_at)
       SELECT gen_random_uuid(), $1, $2, '${CUSTOMER_PREFIX}' || lpad(i::text, 4, '0'), $3, 'active', 'q1', 'en', now() + interval '1 day', now()
       FROM generate_series(0, $4::int - 1) AS i`,
      [SURVEY_ID, saved.version, SENDER, config.customers],
    );
    await db.query('ANALYZE survey_session');
    ctx.log(`${config.customers} sessions at question 1 of survey ${SURVEY_ID} v${saved.version}`);
    const settings: Record<string, string> = {};
    for (const name of ['synchronous_commit', 'fsync', 'wal_sync_method', 'shared_buffers', 'max_connections']) {
      settings[name] = String((await db.query(`SHOW ${name}`)).rows[0]?.[name]);
    }

    const pgbench = await runPgbench(ctx, db);

    await startServices();
    const watcher = await startWatcher(ctx);
    // What the services cost doing nothing (consumer fetch loops, outbox sweep, expiry timer).
    const { cpu: idleCpu } = await ctx.measure(() => sleep(3000));
    ctx.log(`idle, 3 s: ${describeCpu(idleCpu)}`);
    try {
      const position = new Array<number>(config.customers).fill(1);
      let nextCustomer = 0;
      const url = `${gatewayUrl}/twilio/messaging/inbound`;
      const plan = (count: number) => {
        const planned: Planned[] = [];
        const requests: SignedRequest[] = [];
        for (let i = 0; i < count; i++) {
          const c = nextCustomer++ % config.customers;
          const question = position[c]!;
          if (question >= QUESTIONS) throw new Error(`customer ${customer(c)} has answered all ${QUESTIONS} questions: use more customers (BENCH_CUSTOMERS)`);
          position[c] = question + 1;
          const request = signedInbound(url, customer(c), SENDER, String((i % 5) + 1));
          planned.push({ customer: customer(c), expect: question + 1, messageSid: request.messageSid! });
          requests.push(request);
        }
        return { planned, requests };
      };
      /** Where each customer really is (a reply in flight when a timed run stopped may or may not have landed). */
      const resync = async () => {
        const { rows } = await db.query<{ customer: string; current_element_id: string | null }>(
          'SELECT customer, current_element_id FROM survey_session WHERE customer LIKE $1',
          [`${CUSTOMER_PREFIX}%`],
        );
        for (const r of rows) position[Number(r.customer.slice(CUSTOMER_PREFIX.length))] = Number(r.current_element_id?.slice(1) ?? QUESTIONS + 1);
      };

      const measureRun = async (
        what: string,
        planned: Planned[],
        load: (hooks: { onSend: (i: number) => void; onResponse: (i: number, status: number) => void }) => Promise<LoadResult>,
      ): Promise<ReplyRun> => {
        const sentAt = new Array<number>(planned.length);
        const okIndex: number[] = [];
        const { result, cpu } = await ctx.measure(async () => {
          const loadResult = await load({
            onSend: (i) => (sentAt[i] = Date.now()),
            onResponse: (i, status) => status === 200 && okIndex.push(i),
          });
          // Until every acknowledged reply has its next question, or nothing new comes for 20 s.
          const done = () => okIndex.every((i) => watcher.seen.has(`${planned[i]!.customer}|${planned[i]!.expect}`));
          while (!done() && Date.now() - watcher.lastSeenAt() < 20_000) await sleep(200);
          return loadResult;
        });
        const latencies: number[] = [];
        const toCreate: number[] = [];
        const toInbound: number[] = [];
        const inboundToCreate: number[] = [];
        let first = Infinity;
        let last = 0;
        for (const i of okIndex) {
          const p = planned[i]!;
          const s = watcher.seen.get(`${p.customer}|${p.expect}`);
          const at = sentAt[i];
          if (at === undefined) continue;
          first = Math.min(first, at);
          if (!s) continue;
          latencies.push(s.receivedAt - at);
          toCreate.push(s.createdAt - at);
          const inboundAt = watcher.inbound.get(p.messageSid);
          if (inboundAt !== undefined) {
            toInbound.push(inboundAt - at);
            inboundToCreate.push(s.createdAt - inboundAt);
          }
          last = Math.max(last, s.receivedAt);
        }
        const run: ReplyRun = {
          acknowledged: okIndex.length,
          answered: latencies.length,
          repliesPerSecond: latencies.length / ((last - first) / 1000),
          latency: summarize(latencies),
          latencyToCreateTime: summarize(toCreate),
          latencyToInboundEvent: summarize(toInbound),
          inboundEventToCreateTime: summarize(inboundToCreate),
          load: result,
          cpu,
          cpuPerReplyUs: cpuPerOp(cpu, latencies.length / cpu.seconds),
        };
        ctx.log(
          `${what}: ${run.answered}/${run.acknowledged} replies answered, ${run.repliesPerSecond.toFixed(0)} replies/s, ` +
            `p50 ${run.latency.p50} ms, p99 ${run.latency.p99} ms (gateway p99 ${result.latency.p99.toFixed(1)} ms; ` +
            `reply → inbound event p50/p99 ${run.latencyToInboundEvent.p50}/${run.latencyToInboundEvent.p99} ms, ` +
            `inbound event → next question p50/p99 ${run.inboundEventToCreateTime.p50}/${run.inboundEventToCreateTime.p99} ms); ${describeCpu(cpu)}; ` +
            `CPU µs/reply ${JSON.stringify(run.cpuPerReplyUs)}`,
        );
        return run;
      };

      // A short warm-up (JIT, connection pools), not measured.
      const warm = plan(Math.min(200, config.customers));
      await measureRun('warm-up', warm.planned, (hooks) => runLoad({ url, requests: warm.requests, connections: 4, amount: warm.requests.length, ...hooks }));
      await resync();

      // autocannon's overallRate can start one more per-second round at the very end: plan for two more seconds.
      const steadyPlan = plan(config.replyRate * (config.duration + 2) + 100);
      const steady = await measureRun(`replies at ${config.replyRate}/s`, steadyPlan.planned, (hooks) =>
        runSteady({ url, requests: steadyPlan.requests, rate: config.replyRate, duration: config.duration, instances: 20, connectionsPerInstance: 2, connections: 0, ...hooks }),
      );
      await resync();

      const burst = plan(config.replyBurst);
      const max = await measureRun(`replies at max rate (${config.replyBurst} at once, ${config.connections} connections)`, burst.planned, (hooks) =>
        runLoad({ url, requests: burst.requests, connections: config.connections, amount: burst.requests.length, ...hooks }),
      );
      return {
        customers: config.customers,
        pgbench,
        steady: { ...steady, rate: config.replyRate },
        max: { ...max, burst: config.replyBurst, connections: config.connections },
        settings,
        idleCpu,
      };
    } finally {
      await watcher.stop();
    }
  } finally {
    await db.end();
  }
}
