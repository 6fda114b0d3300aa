/**
 * Scenario 3: the dispatcher with a backlog. `perSender` commands for each of `senders` US long-code numbers
 * (1 message/s each by default) are published straight to `<prefix>sms.send.v1`, keyed by sender as the
 * orchestrator does; then the dispatcher starts and sends them. From the time the simulator recorded for each
 * API request: one-second windows over a sender's limit, utilisation of the allowed rate, and aggregate
 * throughput into the simulator. Status callbacks are held back (SIMULATOR_STATUS_CALLBACK_DELAY_MS) so that
 * no callback traffic runs during the measurement.
 *
 * Before that, a short capacity run: the same senders allowed CAPACITY_RATE messages/s each (SENDER_RATES), so
 * that their limits allow more than 1,000 msg/s and the aggregate throughput shows what the dispatcher itself
 * can push (with 0 windows over). It runs first, in a dispatcher process of its own, so that the dispatcher
 * the runner stops last (and records the footprint of) is the one of the main run.
 */
import { randomUUID } from 'node:crypto';
import { createMessage, SmsSendRequested } from '@sms-survey/contracts';
import { cpuPerOp, describeCpu, type BenchContext, type CpuReport } from './context.js';
import type { RunningProcess } from './services.js';
import { sleep } from './stats.js';

export const SENDER_RATE = 1;
export const CAPACITY_RATE = 2;
const sender = (i: number) => `+1415555${String(i).padStart(4, '0')}`;
const recipient = (i: number) => `+164655${String(i).padStart(5, '0')}`;

export interface DispatcherResults {
  senders: number;
  perSender: number;
  commands: number;
  /** Requests to Messages.json the simulator recorded (and of them answered 201). */
  requests: number;
  accepted: number;
  /** Sliding one-second windows (one starting at each request) with more requests than the sender's limit. */
  windowsOverLimit: number;
  /** The smallest gap between two consecutive requests of one sender (ms). */
  minGapMs: number;
  /** Σ(n−1) / Σ(last−first)·rate over senders: how much of the allowed rate a sender with a backlog used. */
  utilisation: number;
  /** Mean of per-second request counts over the full seconds from the first request to the last. */
  throughput: number;
  throughputPerSecond: number[];
  /** Requests / (last − first). */
  throughputOverall: number;
  /** Dispatcher start (spawn) to the first and to the last request at the simulator (ms). */
  firstRequestAfterMs: number;
  lastRequestAfterMs: number;
  cpu: CpuReport;
  /** CPU µs per send of each process group. */
  cpuPerSendUs: Record<string, number>;
  /** Backlog publishing: ms for all commands. */
  publishMs: number;
  /** Gaps between consecutive requests of one sender: how many were below 1,000 ms + 0/10/25/50 ms. */
  gapsBelow: Record<string, number>;
  /** The capacity run (senders allowed CAPACITY_RATE/s), when it ran. */
  capacity?: CapacityResults;
}

export type CapacityResults = Pick<
  DispatcherResults,
  'senders' | 'perSender' | 'commands' | 'requests' | 'accepted' | 'windowsOverLimit' | 'throughput' | 'throughputPerSecond' | 'cpuPerSendUs' | 'cpu'
> & {
  rate: number;
  /** Peak RSS (VmHWM) of the capacity run's dispatcher process. */
  peakRssMb?: number;
};

interface RecordedRequest {
  time: number;
  method: string;
  path: string;
  from?: string;
  statusCode?: number;
}

/** Moves a consumer group to the end of a topic (before any member joins), so it skips what is there. */
export async function skipToEnd(ctx: BenchContext, groupId: string, topics: string[]): Promise<void> {
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId, topic, partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })) });
    }
  } finally {
    await admin.disconnect();
  }
}

/** Request times per sender at the simulator, and what they say about the limits and the throughput. */
export function analyse(sends: RecordedRequest[], rate: number) {
  const bySender = new Map<string, number[]>();
  for (const r of sends) {
    const times = bySender.get(r.from!);
    if (times) times.push(r.time);
    else bySender.set(r.from!, [r.time]);
  }
  let windowsOverLimit = 0;
  /** The shortest time in which a sender made rate + 1 requests (under 1,000 ms: a window over its limit). */
  let tightestWindowMs = Infinity;
  /** For each window over: by how many ms the (rate + 1)-th request came too early. */
  const overBy: number[] = [];
  const sendersOver = new Set<number[]>();
  let minGapMs = Infinity;
  let intervals = 0;
  let allowedIntervals = 0;
  let first = Infinity;
  let last = 0;
  const gapsBelow: Record<string, number> = { '1000': 0, '1010': 0, '1025': 0, '1050': 0 };
  for (const times of bySender.values()) {
    times.sort((a, b) => a - b);
    for (let i = 0; i < times.length; i++) {
      // The window [t_i, t_i + 1 s) holds requests i … i+limit when the (limit+1)-th is less than 1 s later.
      if (i + rate < times.length) {
        const span = times[i + rate]! - times[i]!;
        tightestWindowMs = Math.min(tightestWindowMs, span);
        if (span < 1000) {
          windowsOverLimit += 1;
          overBy.push(1000 - span);
          sendersOver.add(times);
        }
      }
      if (i > 0) {
        const gap = times[i]! - times[i - 1]!;
        minGapMs = Math.min(minGapMs, gap);
        for (const below of Object.keys(gapsBelow)) if (gap < Number(below)) gapsBelow[below]! += 1;
      }
    }
    if (times.length > 1) {
      intervals += times.length - 1;
      allowedIntervals += ((times[times.length - 1]! - times[0]!) / 1000) * rate;
    }
    first = Math.min(first, times[0]!);
    last = Math.max(last, times[times.length - 1]!);
  }
  const fullSeconds = Math.floor((last - first) / 1000);
  const perSecond = Array.from({ length: fullSeconds }, () => 0);
  for (const r of sends) {
    const k = Math.floor((r.time - first) / 1000);
    if (k < fullSeconds) perSecond[k]! += 1;
  }
  return {
    senders: bySender.size,
    windowsOverLimit,
    tightestWindowMs,
    overBy: overBy.sort((a, b) => a - b),
    sendersOverLimit: sendersOver.size,
    minGapMs,
    gapsBelow,
    utilisation: allowedIntervals > 0 ? intervals / allowedIntervals : Number.NaN,
    throughput: perSecond.length ? perSecond.reduce((sum, n) => sum + n, 0) / perSecond.length : Number.NaN,
    perSecond,
    first,
    last,
  };
}

/**
 * Publishes `perSender` commands for each sender (round by round, as a backlog would build up), starts the
 * dispatcher, waits until it has handled them all (or nothing moved for 20 s), and returns the simulator's
 * requests with the CPU used meanwhile.
 */
async function runBacklog(ctx: BenchContext, simulatorUrl: string, startDispatcher: () => Promise<RunningProcess>, perSender: number, label: string) {
  const { config } = ctx;
  const total = config.senders * perSender;
  await fetch(`${simulatorUrl}/__sim/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

  const producer = ctx.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const published = performance.now();
  try {
    for (let round = 0; round < perSender; round++) {
      const messages = [];
      for (let s = 0; s < config.senders; s++) {
        const event = createMessage(SmsSendRequested, {
          type: 'sms.send.requested',
          schemaVersion: 1,
          payload: {
            commandId: randomUUID(),
            from: sender(s),
            to: recipient(round * config.senders + s),
            body: `Benchmark message ${round + 1} from sender ${s + 1}.`,
            priority: 'reply',
          },
        });
        messages.push({ key: event.payload.from, value: JSON.stringify(event), headers: { 'message-type': event.type } });
      }
      await producer.send({ topic: `${config.topicPrefix}sms.send.v1`, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
  const publishMs = performance.now() - published;
  ctx.log(`${label}: published ${total} send commands for ${config.senders} senders in ${publishMs.toFixed(0)} ms`);

  const spawnedAt = Date.now();
  const dispatcher = await startDispatcher();
  const sentCount = async () => {
    const text = await fetch(`${dispatcher.url}/metrics`).then((r) => r.text(), () => '');
    let n = 0;
    // Duplicates (commands of an earlier run redelivered) are not this run's sends.
    for (const m of text.matchAll(/^dispatcher_sms_total\{[^}]*outcome="([^"]+)"[^}]*\} (\d+)/gm)) if (m[1] !== 'duplicate') n += Number(m[2]);
    return n;
  };
  const { cpu } = await ctx.measure(async () => {
    let last = -1;
    let lastChange = Date.now();
    for (;;) {
      const n = await sentCount();
      if (n >= total) break;
      if (n !== last) {
        last = n;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > 20_000) {
        ctx.log(`${label}: dispatcher stalled at ${n}/${total} sends`);
        break;
      }
      await sleep(250);
    }
  });

  const body = (await fetch(`${simulatorUrl}/__sim/requests`).then((r) => r.json())) as { requests: RecordedRequest[] };
  const sends = body.requests.filter((r) => r.method === 'POST' && /\/Messages\.json$/.test(r.path) && r.from);
  return { dispatcher, sends, cpu, total, publishMs, spawnedAt };
}

/** Senders allowed twice their default rate for the capacity run: "+14155550000=2,…". */
const capacityRates = (senders: number) => Array.from({ length: senders }, (_, i) => `${sender(i)}=${CAPACITY_RATE}`).join(',');

async function capacityRun(ctx: BenchContext, simulatorUrl: string, startDispatcher: () => Promise<RunningProcess>): Promise<CapacityResults> {
  const perSender = Number(process.env['BENCH_CAPACITY_PER_SENDER'] ?? (ctx.config.perSender < 10 ? 2 * CAPACITY_RATE : 10));
  // The runner adds BENCH_ENV_SMS_DISPATCHER to the dispatcher's environment when it starts it.
  const key = 'BENCH_ENV_SMS_DISPATCHER';
  const previous = process.env[key];
  process.env[key] = `${previous ?? ''} SENDER_RATES=${capacityRates(ctx.config.senders)}`.trim();
  let run;
  try {
    run = await runBacklog(ctx, simulatorUrl, startDispatcher, perSender, `capacity run (${CAPACITY_RATE} msg/s per sender)`);
  } finally {
    if (previous === undefined) delete process.env[key];
    else process.env[key] = previous;
  }
  await run.dispatcher.stop();
  const a = analyse(run.sends, CAPACITY_RATE);
  const results: CapacityResults = {
    rate: CAPACITY_RATE,
    senders: ctx.config.senders,
    perSender,
    commands: run.total,
    requests: run.sends.length,
    accepted: run.sends.filter((r) => r.statusCode === 201).length,
    windowsOverLimit: a.windowsOverLimit,
    throughput: a.throughput,
    throughputPerSecond: a.perSecond,
    cpu: run.cpu,
    cpuPerSendUs: cpuPerOp(run.cpu, run.sends.length / run.cpu.seconds),
    peakRssMb: run.dispatcher.footprint.peakRssMb,
  };
  ctx.log(
    `capacity run: ${results.requests} requests (${results.accepted} accepted) from ${a.senders} senders at ${CAPACITY_RATE}/s; windows over limit ${a.windowsOverLimit}, ` +
      `throughput ${a.throughput.toFixed(0)} msg/s (per second: ${a.perSecond.join(' ')}); ${describeCpu(run.cpu)}; CPU µs/send ${JSON.stringify(results.cpuPerSendUs)}; ` +
      `dispatcher peak RSS ${results.peakRssMb?.toFixed(0)} MB`,
  );
  return results;
}

export async function dispatcherScenario(
  ctx: BenchContext,
  simulatorUrl: string,
  startDispatcher: () => Promise<RunningProcess>,
): Promise<{ results: DispatcherResults; dispatcher: RunningProcess }> {
  const { config } = ctx;
  const capacity = process.env['BENCH_CAPACITY'] === '0' ? undefined : await capacityRun(ctx, simulatorUrl, startDispatcher);

  // Ideal: perSender seconds (+1 s: a sender's window starts full).
  const run = await runBacklog(ctx, simulatorUrl, startDispatcher, config.perSender, 'main run');
  const { sends, cpu, spawnedAt } = run;
  const a = analyse(sends, SENDER_RATE);
  const results: DispatcherResults = {
    senders: config.senders,
    perSender: config.perSender,
    commands: run.total,
    requests: sends.length,
    accepted: sends.filter((r) => r.statusCode === 201).length,
    windowsOverLimit: a.windowsOverLimit,
    minGapMs: a.minGapMs,
    utilisation: a.utilisation,
    throughput: a.throughput,
    throughputPerSecond: a.perSecond,
    throughputOverall: sends.length / ((a.last - a.first) / 1000),
    firstRequestAfterMs: a.first - spawnedAt,
    lastRequestAfterMs: a.last - spawnedAt,
    cpu,
    cpuPerSendUs: cpuPerOp(cpu, sends.length / cpu.seconds),
    publishMs: run.publishMs,
    gapsBelow: a.gapsBelow,
    ...(capacity && { capacity }),
  };
  ctx.log(
    `dispatcher: ${results.requests} requests (${results.accepted} accepted) from ${a.senders} senders; windows over limit ${a.windowsOverLimit}, ` +
      `min gap ${a.minGapMs} ms (gaps below 1000/1010/1025/1050 ms: ${Object.values(a.gapsBelow).join('/')}), utilisation ${(results.utilisation * 100).toFixed(1)} %, throughput ${results.throughput.toFixed(0)} msg/s ` +
      `(per second: ${a.perSecond.join(' ')}); ${describeCpu(cpu)}; CPU µs/send ${JSON.stringify(results.cpuPerSendUs)}`,
  );
  return { results, dispatcher: run.dispatcher };
}
