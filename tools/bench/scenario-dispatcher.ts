/**
 * Scenario 3: the dispatcher with a backlog. `perSender` commands for each of `senders` US long-code numbers
 * (1 message/s each by default) are published straight to `<prefix>sms.send.v1`, keyed by sender as the
 * orchestrator does; then the dispatcher starts and sends them. From the time the simulator recorded for each
 * API request: one-second windows over a sender's limit, utilisation of the allowed rate, and aggregate
 * throughput into the simulator. Status callbacks are held back (SIMULATOR_STATUS_CALLBACK_DELAY_MS) so that
 * no callback traffic runs during the measurement.
 */
import { randomUUID } from 'node:crypto';
import { createMessage, SmsSendRequested } from '@sms-survey/contracts';
import { cpuPerOp, describeCpu, type BenchContext, type CpuReport } from './context.js';
import type { RunningProcess } from './services.js';
import { sleep } from './stats.js';

export const SENDER_RATE = 1;
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
}

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

export async function dispatcherScenario(
  ctx: BenchContext,
  simulatorUrl: string,
  startDispatcher: () => Promise<RunningProcess>,
): Promise<{ results: DispatcherResults; dispatcher: RunningProcess }> {
  const { config } = ctx;
  const total = config.senders * config.perSender;
  await fetch(`${simulatorUrl}/__sim/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

  // The backlog, round by round (each sender's first command, then each one's second, …), as it would build up.
  const producer = ctx.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const published = performance.now();
  try {
    for (let round = 0; round < config.perSender; round++) {
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
  ctx.log(`published ${total} send commands for ${config.senders} senders in ${publishMs.toFixed(0)} ms`);

  const spawnedAt = Date.now();
  const dispatcher = await startDispatcher();
  const sentCount = async () => {
    const text = await fetch(`${dispatcher.url}/metrics`).then((r) => r.text(), () => '');
    let n = 0;
    for (const m of text.matchAll(/^dispatcher_sms_total\{[^}]*outcome="([^"]+)"[^}]*\} (\d+)/gm)) n += Number(m[2]);
    return n;
  };
  const { cpu } = await ctx.measure(async () => {
    // Ideal: perSender seconds (+1 s: a sender's window starts full). Give up when nothing moves for 20 s.
    let last = -1;
    let lastChange = Date.now();
    for (;;) {
      const n = await sentCount();
      if (n >= total) break;
      if (n !== last) {
        last = n;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > 20_000) {
        ctx.log(`dispatcher stalled at ${n}/${total} sends`);
        break;
      }
      await sleep(250);
    }
  });

  const body = (await fetch(`${simulatorUrl}/__sim/requests`).then((r) => r.json())) as { requests: RecordedRequest[] };
  const sends = body.requests.filter((r) => r.method === 'POST' && /\/Messages\.json$/.test(r.path) && r.from);
  const bySender = new Map<string, number[]>();
  for (const r of sends) bySender.set(r.from!, [...(bySender.get(r.from!) ?? []), r.time]);
  let windowsOverLimit = 0;
  let minGapMs = Infinity;
  let intervals = 0;
  let allowedIntervals = 0;
  let first = Infinity;
  let last = 0;
  for (const times of bySender.values()) {
    times.sort((a, b) => a - b);
    for (let i = 0; i < times.length; i++) {
      // The window [t_i, t_i + 1 s) holds requests i … i+limit when the (limit+1)-th is less than 1 s later.
      if (i + SENDER_RATE < times.length && times[i + SENDER_RATE]! - times[i]! < 1000) windowsOverLimit += 1;
      if (i > 0) minGapMs = Math.min(minGapMs, times[i]! - times[i - 1]!);
    }
    if (times.length > 1) {
      intervals += times.length - 1;
      allowedIntervals += ((times[times.length - 1]! - times[0]!) / 1000) * SENDER_RATE;
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
  const results: DispatcherResults = {
    senders: config.senders,
    perSender: config.perSender,
    commands: total,
    requests: sends.length,
    accepted: sends.filter((r) => r.statusCode === 201).length,
    windowsOverLimit,
    minGapMs,
    utilisation: allowedIntervals > 0 ? intervals / allowedIntervals : Number.NaN,
    throughput: perSecond.length ? perSecond.reduce((s, n) => s + n, 0) / perSecond.length : Number.NaN,
    throughputPerSecond: perSecond,
    throughputOverall: sends.length / ((last - first) / 1000),
    firstRequestAfterMs: first - spawnedAt,
    lastRequestAfterMs: last - spawnedAt,
    cpu,
    cpuPerSendUs: cpuPerOp(cpu, sends.length / cpu.seconds),
    publishMs,
  };
  ctx.log(
    `dispatcher: ${results.requests} requests (${results.accepted} accepted) from ${bySender.size} senders; windows over limit ${windowsOverLimit}, ` +
      `min gap ${minGapMs} ms, utilisation ${(results.utilisation * 100).toFixed(1)} %, throughput ${results.throughput.toFixed(0)} msg/s ` +
      `(per second: ${perSecond.join(' ')}); ${describeCpu(cpu)}; CPU µs/send ${JSON.stringify(results.cpuPerSendUs)}`,
  );
  return { results, dispatcher };
}
