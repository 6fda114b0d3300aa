/**
 * Scenarios 5 and 6 (issue 11): scaling the dispatcher without interference.
 *
 * 5. **One hot sender with 10,000 queued SMS plus 1,000 other senders.** One sender (allowed HOT_RATE msg/s by
 *    SENDER_RATES) has 10,000 commands on sms.send.v1, published before the window starts; while it works through
 *    them, 1,000 other senders (US long codes, 1 msg/s, one command each) get a command each, spread evenly over
 *    the first two thirds of the window. Measured at the simulator: each other sender's first-SMS latency (command
 *    published → its Messages.json request arrived), the hot sender's utilisation over the window (its requests /
 *    rate × window) and its one-second windows over the limit, and the dispatcher's RSS (sampled each second).
 *    Baseline, same run, same dispatcher process: the first-SMS latency of other senders with no backlog at all,
 *    measured just before the hot backlog is published. The backlog is not finished: the run measures a window of
 *    it, then the dispatcher is stopped and its group moved past what is left.
 * 6. **Aggregate throughput with 2 dispatcher replicas vs 1.** 200 senders allowed 10 msg/s each (2,000 msg/s in
 *    all), 40 commands each (a run ends after 20 s at most), published once the replicas have joined the group (each owning partitions); the
 *    throughput at the simulator with two replicas, against one replica in the same run.
 *
 * Both need nothing but the dispatcher and the simulator (the gateway, orchestrator and insights-sync are stopped;
 * status callbacks are held back, as in scenario 3).
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssignerProtocol } from 'kafkajs';
import { createMessage, SmsSendRequested } from '@sms-survey/contracts';
import { cpuPerOp, describeCpu, type BenchContext, type CpuReport } from './context.js';
import { readMemory } from './proc.js';
import { analyse, skipToEnd } from './scenario-dispatcher.js';
import type { RunningProcess } from './services.js';
import { sleep, summarize, type LatencySummary } from './stats.js';

const env = process.env;
const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
const quick = env['BENCH_QUICK'] === '1';

export const HOT_SENDER = '+16505550100';
const otherSender = (i: number) => `+1415556${String(i).padStart(4, '0')}`;
const baselineSender = (i: number) => `+1415557${String(i).padStart(4, '0')}`;
const replicaSender = (i: number) => `+1332555${String(i).padStart(4, '0')}`;
const recipient = (block: number, i: number) => `+1646${block}${String(i).padStart(6, '0')}`;

/** Starts a dispatcher process: `name` for its logs and CPU line, extra environment on top of the runner's. */
export type StartDispatcher = (name: string, extraEnv: Record<string, string>) => Promise<RunningProcess>;

export interface HotSenderResults {
  hotRate: number;
  backlog: number;
  others: number;
  windowSeconds: number;
  /** Other senders' commands published over this many seconds from the window's start. */
  spreadSeconds: number;
  /** Published → first request at the simulator, of the others that were sent. */
  othersLatency: LatencySummary;
  othersSent: number;
  /** The baseline: other senders' first-SMS latency with no backlog (same dispatcher, just before). */
  baselineLatency: LatencySummary;
  baselineSent: number;
  baselineOthers: number;
  hotRequestsInWindow: number;
  /** Hot requests in the window / (rate × window). */
  hotUtilisation: number;
  hotWindowsOverLimit: number;
  hotOverLimit: OverLimit;
  /** Requests of the other senders that arrived less than 1 s after the same sender's previous one (must be 0). */
  othersWindowsOverLimit: number;
  /** Dispatcher RSS sampled once a second in the window: max and mean; before the backlog; VmHWM at stop. */
  rssMaxMb: number;
  rssMeanMb: number;
  rssBeforeBacklogMb: number;
  peakRssMb?: number;
  cpu: CpuReport;
  cpuPerSendUs: Record<string, number>;
  /** Hot sends per second of the window. */
  hotPerSecond: number[];
}

export interface ReplicaRun {
  replicas: number;
  commands: number;
  requests: number;
  /** Requests to a recipient that had one already: each command's recipient is its own, so a second SMS. */
  duplicates: number;
  accepted: number;
  windowsOverLimit: number;
  overLimit: OverLimit;
  throughput: number;
  throughputPerSecond: number[];
  cpu: CpuReport;
  cpuPerSendUs: Record<string, number>;
  /** Requests per replica's metrics (sent), when it could be read. */
  sentByReplica: Record<string, number>;
}

export interface ReplicaResults {
  senders: number;
  rate: number;
  perSender: number;
  one: ReplicaRun;
  two: ReplicaRun;
}

interface SimRequest {
  time: number;
  method: string;
  path: string;
  from?: string;
  statusCode?: number;
  params: Record<string, unknown>;
}

async function simRequests(simulatorUrl: string): Promise<SimRequest[]> {
  const body = (await fetch(`${simulatorUrl}/__sim/requests`).then((r) => r.json())) as { requests: SimRequest[] };
  return body.requests.filter((r) => r.method === 'POST' && /\/Messages\.json$/.test(r.path) && r.from);
}

/** How a sender went over its limit: the shortest time it took for rate + 1 requests, how many senders, by how much. */
export interface OverLimit {
  windows: number;
  senders: number;
  tightestWindowMs: number;
  /** ms by which the (rate + 1)-th request of a window over came too early: median and largest. */
  earlyByMs: { p50: number; max: number };
}
const overLimit = (a: ReturnType<typeof analyse>): OverLimit => ({
  windows: a.windowsOverLimit,
  senders: a.sendersOverLimit,
  tightestWindowMs: a.tightestWindowMs,
  earlyByMs: { p50: a.overBy[Math.floor(a.overBy.length / 2)] ?? 0, max: a.overBy.at(-1) ?? 0 },
});
const describeOver = (o: OverLimit) =>
  o.windows === 0 ? '0 windows over' : `${o.windows} windows over (${o.senders} senders; tightest ${o.tightestWindowMs} ms for rate + 1 requests; early by p50 ${o.earlyByMs.p50} / max ${o.earlyByMs.max} ms)`;

/** BENCH_DUMP_REQUESTS=1: the simulator's send requests of a run, for a closer look (`<outDir>/<name>.json`). */
function dump(ctx: BenchContext, name: string, requests: SimRequest[]): void {
  if (env['BENCH_DUMP_REQUESTS'] !== '1') return;
  writeFileSync(join(ctx.config.outDir, `${name}.json`), JSON.stringify(requests.map((r) => ({ time: r.time, from: r.from, to: r.params.To, status: r.statusCode }))));
}

const resetSimulator = (simulatorUrl: string) => fetch(`${simulatorUrl}/__sim/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

function command(from: string, to: string, body: string) {
  const event = createMessage(SmsSendRequested, {
    type: 'sms.send.requested',
    schemaVersion: 1,
    payload: { commandId: randomUUID(), from, to, body, priority: 'new-survey' },
  });
  return { key: from, value: JSON.stringify(event), headers: { 'message-type': event.type } };
}

/** SMS the dispatcher has handled (its own counter; redelivered duplicates left out). */
async function sentCount(dispatcher: RunningProcess): Promise<number> {
  const text = await fetch(`${dispatcher.url}/metrics`, { signal: AbortSignal.timeout(2000) }).then((r) => r.text(), () => '');
  let n = 0;
  for (const m of text.matchAll(/^dispatcher_sms_total\{[^}]*outcome="([^"]+)"[^}]*\} (\d+)/gm)) if (m[1] !== 'duplicate') n += Number(m[2]);
  return n;
}

/** Waits until the dispatcher group is stable with `members` members, each owning some partition of sms.send.v1. */
async function waitForGroup(ctx: BenchContext, members: number, timeoutMs = 30_000): Promise<void> {
  const group = `${ctx.config.topicPrefix}sms-dispatcher`;
  const topic = `${ctx.config.topicPrefix}sms.send.v1`;
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { groups } = await admin.describeGroups([group]);
      const g = groups[0];
      const owned = (g?.members ?? []).map((m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topic]?.length ?? 0);
      if (g?.state === 'Stable' && owned.length === members && owned.every((n) => n > 0)) return;
      if (Date.now() > deadline) throw new Error(`dispatcher group not stable with ${members} members after ${timeoutMs} ms (${g?.state}, partitions per member ${owned.join('/')})`);
      await sleep(200);
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Publishes one command for each of `count` senders, evenly over `spreadMs`, and returns when each was published
 * (ms, just before its produce request).
 */
async function publishSpread(ctx: BenchContext, count: number, spreadMs: number, sender: (i: number) => string, block: number): Promise<Map<string, number>> {
  const producer = ctx.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const publishedAt = new Map<string, number>();
  const started = Date.now();
  const tickMs = 50;
  let next = 0;
  try {
    while (next < count) {
      const due = Math.min(count, Math.ceil(((Date.now() - started + tickMs) / spreadMs) * count));
      const messages = [];
      const at = Date.now();
      for (; next < due; next++) {
        messages.push(command(sender(next), recipient(block, next), `Your survey, sender ${next + 1}: how was it?`));
        publishedAt.set(sender(next), at);
      }
      if (messages.length) await producer.send({ topic: `${ctx.config.topicPrefix}sms.send.v1`, acks: -1, messages });
      await sleep(Math.max(0, started + ((next + 1) / count) * spreadMs - Date.now()));
    }
  } finally {
    await producer.disconnect();
  }
  return publishedAt;
}

/** First-request latency of each sender published, from the simulator's requests; missing ones left out. */
function firstSmsLatency(requests: SimRequest[], publishedAt: Map<string, number>) {
  const first = new Map<string, number>();
  for (const r of requests) if (publishedAt.has(r.from!) && !first.has(r.from!)) first.set(r.from!, r.time);
  const latencies: number[] = [];
  for (const [s, t] of first) latencies.push(t - publishedAt.get(s)!);
  return { latencies, sent: first.size, requests: requests.filter((r) => publishedAt.has(r.from!)) };
}

/** Waits until every sender in `publishedAt` has a request at the simulator, or `timeoutMs` passes. */
async function waitForFirstSms(simulatorUrl: string, publishedAt: Map<string, number>, timeoutMs: number): Promise<SimRequest[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const requests = await simRequests(simulatorUrl);
    const senders = new Set(requests.map((r) => r.from));
    if ([...publishedAt.keys()].every((s) => senders.has(s)) || Date.now() > deadline) return requests;
    await sleep(1000);
  }
}

export async function hotSenderScenario(ctx: BenchContext, simulatorUrl: string, startDispatcher: StartDispatcher): Promise<HotSenderResults> {
  const hotRate = num('BENCH_HOT_RATE', 50);
  const backlog = num('BENCH_HOT_BACKLOG', quick ? 2000 : 10_000);
  const others = num('BENCH_HOT_OTHERS', quick ? 100 : 1000);
  const windowSeconds = num('BENCH_HOT_WINDOW', quick ? 8 : 30);
  const spreadSeconds = Math.max(1, Math.round((windowSeconds * 2) / 3));
  const baselineOthers = num('BENCH_HOT_BASELINE_OTHERS', quick ? 50 : 200);
  const group = `${ctx.config.topicPrefix}sms-dispatcher`;
  const topic = `${ctx.config.topicPrefix}sms.send.v1`;

  await skipToEnd(ctx, group, [topic]);
  await resetSimulator(simulatorUrl);
  const dispatcher = await startDispatcher('sms-dispatcher', { SENDER_RATES: `${HOT_SENDER}=${hotRate}` });
  try {
    await waitForGroup(ctx, 1);

    // Baseline: other senders' first SMS with nothing else queued.
    const baselineAt = await publishSpread(ctx, baselineOthers, 5000, baselineSender, 1);
    const baselineRequests = await waitForFirstSms(simulatorUrl, baselineAt, 15_000);
    const baseline = firstSmsLatency(baselineRequests, baselineAt);
    const baselineLatency = summarize(baseline.latencies);
    ctx.log(`hot sender, baseline: ${baseline.sent}/${baselineOthers} other senders' first SMS with no backlog, p50 ${baselineLatency.p50} ms, p99 ${baselineLatency.p99} ms`);
    const rssBeforeBacklogMb = (readMemory(dispatcher.pid)?.rssKb ?? Number.NaN) / 1024;

    // The hot sender's backlog, all in its partition before the window starts.
    const producer = ctx.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const publishStarted = performance.now();
    try {
      for (let i = 0; i < backlog; i += 1000) {
        const messages = [];
        for (let j = i; j < Math.min(backlog, i + 1000); j++) messages.push(command(HOT_SENDER, recipient(2, j), `Hot sender message ${j + 1}: how was your visit today?`));
        await producer.send({ topic, acks: -1, messages });
      }
    } finally {
      await producer.disconnect();
    }
    ctx.log(`hot sender: ${backlog} commands for ${HOT_SENDER} (${hotRate} msg/s) published in ${(performance.now() - publishStarted).toFixed(0)} ms`);
    const before = await sentCount(dispatcher);
    for (let waited = 0; (await sentCount(dispatcher)) < before + hotRate && waited < 20_000; waited += 200) await sleep(200);
    await sleep(1000);

    // The window: the others arrive while the backlog is there.
    const windowStart = Date.now();
    const rss: number[] = [];
    const sampler = setInterval(() => {
      const m = readMemory(dispatcher.pid);
      if (m) rss.push(m.rssKb / 1024);
    }, 1000);
    let publishedAt = new Map<string, number>();
    const { cpu } = await ctx.measure(async () => {
      publishedAt = await publishSpread(ctx, others, spreadSeconds * 1000, otherSender, 3);
      await sleep(Math.max(0, windowStart + windowSeconds * 1000 - Date.now()));
    });
    clearInterval(sampler);
    const windowEnd = windowStart + windowSeconds * 1000;
    // Late ones get up to 10 s more; the window's figures are taken from what arrived within it.
    const requests = await waitForFirstSms(simulatorUrl, publishedAt, 10_000);
    const othersResult = firstSmsLatency(requests, publishedAt);
    const hot = requests.filter((r) => r.from === HOT_SENDER);
    const hotInWindow = hot.filter((r) => r.time >= windowStart && r.time < windowEnd);
    dump(ctx, 'hot-sender-requests', requests);
    const hotAnalysis = analyse(hot, hotRate);
    const othersAnalysis = analyse(othersResult.requests, 1);
    const hotPerSecond = Array.from({ length: windowSeconds }, (_, k) => hotInWindow.filter((r) => Math.floor((r.time - windowStart) / 1000) === k).length);
    const inWindow = requests.filter((r) => r.time >= windowStart && r.time < windowEnd).length;

    const results: HotSenderResults = {
      hotRate,
      backlog,
      others,
      windowSeconds,
      spreadSeconds,
      othersLatency: summarize(othersResult.latencies),
      othersSent: othersResult.sent,
      baselineLatency,
      baselineSent: baseline.sent,
      baselineOthers,
      hotRequestsInWindow: hotInWindow.length,
      hotUtilisation: hotInWindow.length / (hotRate * windowSeconds),
      hotWindowsOverLimit: hotAnalysis.windowsOverLimit,
      hotOverLimit: overLimit(hotAnalysis),
      othersWindowsOverLimit: othersAnalysis.windowsOverLimit,
      rssMaxMb: Math.max(...rss),
      rssMeanMb: rss.reduce((s, v) => s + v, 0) / Math.max(1, rss.length),
      rssBeforeBacklogMb,
      cpu,
      cpuPerSendUs: cpuPerOp(cpu, inWindow / cpu.seconds),
      hotPerSecond,
    };
    await dispatcher.stop();
    results.peakRssMb = dispatcher.footprint.peakRssMb;
    ctx.log(
      `hot sender: others' first SMS ${results.othersSent}/${others} sent, p50 ${results.othersLatency.p50} ms, p99 ${results.othersLatency.p99} ms, max ${results.othersLatency.max} ms ` +
        `(baseline p50 ${baselineLatency.p50} ms, p99 ${baselineLatency.p99} ms); hot sender ${hotInWindow.length} sends in ${windowSeconds} s = ${(results.hotUtilisation * 100).toFixed(1)} % of ${hotRate}/s ` +
        `(per second: ${hotPerSecond.join(' ')}), hot sender ${describeOver(results.hotOverLimit)}, others ${results.othersWindowsOverLimit} over; ` +
        `dispatcher RSS ${rssBeforeBacklogMb.toFixed(0)} MB before the backlog, max ${results.rssMaxMb.toFixed(0)} / mean ${results.rssMeanMb.toFixed(0)} MB in the window, peak ${results.peakRssMb?.toFixed(0)} MB; ` +
        `${describeCpu(cpu)}; CPU µs/send ${JSON.stringify(results.cpuPerSendUs)}`,
    );
    return results;
  } finally {
    await dispatcher.stop();
    // What is left of the backlog is not for the next scenario.
    await skipToEnd(ctx, group, [topic]).catch(() => undefined);
  }
}

async function replicaRun(
  ctx: BenchContext,
  simulatorUrl: string,
  startDispatcher: StartDispatcher,
  replicas: number,
  { senders, rate, perSender, maxSeconds }: { senders: number; rate: number; perSender: number; maxSeconds: number },
): Promise<ReplicaRun> {
  const group = `${ctx.config.topicPrefix}sms-dispatcher`;
  const topic = `${ctx.config.topicPrefix}sms.send.v1`;
  await skipToEnd(ctx, group, [topic]);
  await resetSimulator(simulatorUrl);
  const rates = Array.from({ length: senders }, (_, i) => `${replicaSender(i)}=${rate}`).join(',');
  const running: RunningProcess[] = [];
  try {
    running.push(...(await Promise.all(Array.from({ length: replicas }, (_, i) => startDispatcher(i === 0 ? 'sms-dispatcher' : `sms-dispatcher-${i + 1}`, { SENDER_RATES: rates })))));
    await waitForGroup(ctx, replicas);
    const total = senders * perSender;
    const { cpu } = await ctx.measure(async () => {
      const producer = ctx.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      try {
        for (let round = 0; round < perSender; round++) {
          const messages = [];
          for (let s = 0; s < senders; s++) messages.push(command(replicaSender(s), recipient(4 + replicas, round * senders + s), `Replica benchmark ${round + 1} from sender ${s + 1}.`));
          await producer.send({ topic, acks: -1, messages });
        }
      } finally {
        await producer.disconnect();
      }
      let last = -1;
      let lastChange = Date.now();
      const deadline = Date.now() + maxSeconds * 1000;
      for (;;) {
        const n = (await Promise.all(running.map(sentCount))).reduce((a, b) => a + b, 0);
        if (n >= total) break;
        if (Date.now() > deadline) {
          ctx.log(`replicas (${replicas}): ${n}/${total} sent after ${maxSeconds} s; measured on those`);
          break;
        }
        if (n !== last) {
          last = n;
          lastChange = Date.now();
        } else if (Date.now() - lastChange > 20_000) {
          ctx.log(`replicas (${replicas}): stalled at ${n}/${total} sends`);
          break;
        }
        await sleep(250);
      }
    });
    const sends = await simRequests(simulatorUrl);
    dump(ctx, `replicas-${replicas}-requests`, sends);
    const a = analyse(sends, rate);
    const sentByReplica = Object.fromEntries(await Promise.all(running.map(async (p) => [p.name, await sentCount(p)] as const)));
    const run: ReplicaRun = {
      replicas,
      commands: total,
      requests: sends.length,
      duplicates: sends.length - new Set(sends.map((r) => String(r.params.To))).size,
      accepted: sends.filter((r) => r.statusCode === 201).length,
      windowsOverLimit: a.windowsOverLimit,
      overLimit: overLimit(a),
      throughput: a.throughput,
      throughputPerSecond: a.perSecond,
      cpu,
      cpuPerSendUs: cpuPerOp(cpu, sends.length / cpu.seconds),
      sentByReplica,
    };
    ctx.log(
      `replicas (${replicas}): ${run.requests} requests (${run.accepted} accepted, ${run.duplicates} duplicates) of ${total}, ${describeOver(run.overLimit)}, throughput ${run.throughput.toFixed(0)} msg/s ` +
        `(per second: ${run.throughputPerSecond.join(' ')}), sent per replica ${JSON.stringify(sentByReplica)}; ${describeCpu(cpu)}; CPU µs/send ${JSON.stringify(run.cpuPerSendUs)}`,
    );
    return run;
  } finally {
    await Promise.all(running.map((p) => p.stop()));
  }
}

export async function replicasScenario(ctx: BenchContext, simulatorUrl: string, startDispatcher: StartDispatcher): Promise<ReplicaResults> {
  const senders = num('BENCH_REPLICA_SENDERS', quick ? 50 : 200);
  const rate = num('BENCH_REPLICA_RATE', 10);
  const perSender = num('BENCH_REPLICA_PER_SENDER', quick ? 10 : 40);
  // A run ends when every command was sent or this long after they were published (a slow machine keeps it bounded).
  const maxSeconds = num('BENCH_REPLICA_SECONDS', quick ? 10 : 20);
  const one = await replicaRun(ctx, simulatorUrl, startDispatcher, 1, { senders, rate, perSender, maxSeconds });
  const two = await replicaRun(ctx, simulatorUrl, startDispatcher, 2, { senders, rate, perSender, maxSeconds });
  return { senders, rate, perSender, one, two };
}
