/**
 * Scenario 1: signed inbound-SMS webhooks to the gateway, each acknowledged only after its event is written to
 * Kafka (acks=all), against a bare fastify hello-world on the same machine with the same requests.
 * The orchestrator is not running meanwhile, and before it starts its consumer group is moved past these
 * webhooks, so they cost nothing later.
 */
import { cpuPerOp, describeCpu, type BenchContext, type CpuReport } from './context.js';
import { runLoad, runSteady, signedInbound, type LoadResult, type SignedRequest } from './load.js';
import type { RunningProcess } from './services.js';

interface Measured {
  result: LoadResult;
  cpu: CpuReport;
}

export interface GatewayResults {
  /** max: the best of the alternating rounds (all in `rounds`). */
  bare: { max: LoadResult; steady: LoadResult; cpuMax: CpuReport; cpuSteady: CpuReport; rounds: Measured[] };
  gateway: { max: LoadResult; steady: LoadResult; burstyRate: LoadResult; cpuMax: CpuReport; cpuSteady: CpuReport; rounds: Measured[] };
  /** Events on <prefix>sms.inbound.v1 afterwards, against webhooks answered 200. */
  kafkaEvents: number;
  acknowledged: number;
  requestsGenerated: number;
  steadyShape: { instances: number; connectionsPerInstance: number };
  /** CPU µs per request of each process group, at max throughput. */
  cpuPerRequestUs: { bare: Record<string, number>; gateway: Record<string, number> };
}

const SENDER = '+4759440000';
/** Customers of this scenario: +13035550000 … (no sessions exist for them). */
const customer = (i: number) => `+1303555${String(i % 10_000).padStart(4, '0')}`;

export async function gatewayScenario(
  ctx: BenchContext,
  gatewayUrl: string,
  start: { bare: () => Promise<RunningProcess>; gateway: () => Promise<RunningProcess> },
): Promise<{ results: GatewayResults; gateway: RunningProcess }> {
  const { config } = ctx;
  const path = '/twilio/messaging/inbound';
  const count = Math.min(400_000, Math.max(20_000, Math.round(13_000 * (config.duration * config.rounds + 2 * config.warmup) + config.gatewayRate * config.duration * 2)));
  ctx.log(`signing ${count} inbound webhooks (distinct MessageSid) for ${gatewayUrl}${path}`);
  const requests: SignedRequest[] = [];
  for (let i = 0; i < count; i++) requests.push(signedInbound(gatewayUrl + path, customer(i), SENDER, String((i % 5) + 1)));

  const steadyShape = { instances: 20, connectionsPerInstance: 2 };
  const steady = (url: string, cursor: { next: number }) =>
    runSteady({ url, requests, cursor, rate: config.gatewayRate, duration: config.duration, connections: 0, ...steadyShape });
  const report = (what: string, r: LoadResult, cpu: CpuReport) =>
    ctx.log(
      `${what}: ${r.requestsPerSecond.toFixed(0)} req/s, p50 ${r.latency.p50.toFixed(1)} ms, p99 ${r.latency.p99.toFixed(1)} ms, ` +
        `2xx ${r.ok}, non-2xx ${r.non2xx}, errors ${r.errors}; ${describeCpu(cpu)}; CPU µs/request ${JSON.stringify(cpuPerOp(cpu, r.requestsPerSecond))}`,
    );

  // Both servers run; each max-throughput run has the machine to itself but for the other, idle, server. The
  // runs alternate (bare, gateway, bare, gateway, …) and the best round of each counts: other work on the
  // machine only ever lowers a round, and alternating spreads it over both.
  const bare = await start.bare();
  const bareUrl = bare.url + path;
  const bareCursor = { next: 0 };
  const gateway = await start.gateway();
  const url = gateway.url + path;
  const cursor = { next: 0 };
  let acknowledged = 0;
  const onResponse = (_index: number, status: number) => {
    if (status === 200) acknowledged += 1;
  };
  await runLoad({ url: bareUrl, requests, cursor: bareCursor, connections: config.connections, duration: config.warmup });
  await runLoad({ url, requests, cursor, onResponse, connections: config.connections, duration: config.warmup });
  const bareRounds: Measured[] = [];
  const gatewayRounds: Measured[] = [];
  for (let round = 1; round <= config.rounds; round++) {
    const b = await ctx.measure(() => runLoad({ url: bareUrl, requests, cursor: bareCursor, connections: config.connections, duration: config.duration }));
    report(`round ${round}, bare fastify, max`, b.result, b.cpu);
    bareRounds.push(b);
    const g = await ctx.measure(() => runLoad({ url, requests, cursor, onResponse, connections: config.connections, duration: config.duration }));
    report(`round ${round}, gateway, max`, g.result, g.cpu);
    gatewayRounds.push(g);
  }
  const best = (rounds: Measured[]) => rounds.reduce((a, b) => (b.result.requestsPerSecond > a.result.requestsPerSecond ? b : a));
  const bareMax = best(bareRounds);
  const max = best(gatewayRounds);

  const bareSteady = await ctx.measure(() => steady(bareUrl, bareCursor));
  report(`bare fastify, ${config.gatewayRate} req/s`, bareSteady.result, bareSteady.cpu);
  await bare.stop();
  ctx.processes.delete(bare.name);

  const gwSteady = await ctx.measure(() => runSteady({ url, requests, cursor, onResponse, rate: config.gatewayRate, duration: config.duration, connections: 0, ...steadyShape }));
  report(`gateway, ${config.gatewayRate} req/s`, gwSteady.result, gwSteady.cpu);
  const bursty = await ctx.measure(() => runLoad({ url, requests, cursor, onResponse, connections: config.connections, overallRate: config.gatewayRate, duration: config.duration }));
  report(`gateway, ${config.gatewayRate} req/s as one autocannon instance (overallRate, ${config.connections} connections)`, bursty.result, bursty.cpu);
  if (cursor.next > requests.length) ctx.log(`note: ${cursor.next - requests.length} requests reused a MessageSid (more requests than generated)`);

  const offsets = await ctx.kafka.admin();
  await offsets.connect();
  let kafkaEvents = 0;
  try {
    for (const p of await offsets.fetchTopicOffsets(`${config.topicPrefix}sms.inbound.v1`)) kafkaEvents += Number(p.high) - Number(p.low);
  } finally {
    await offsets.disconnect();
  }
  ctx.log(`sms.inbound.v1 holds ${kafkaEvents} events; the gateway answered 200 to ${acknowledged} webhooks`);

  return {
    gateway,
    results: {
      bare: { max: bareMax.result, steady: bareSteady.result, cpuMax: bareMax.cpu, cpuSteady: bareSteady.cpu, rounds: bareRounds },
      gateway: { max: max.result, steady: gwSteady.result, burstyRate: bursty.result, cpuMax: max.cpu, cpuSteady: gwSteady.cpu, rounds: gatewayRounds },
      kafkaEvents,
      acknowledged,
      requestsGenerated: requests.length,
      steadyShape,
      cpuPerRequestUs: { bare: cpuPerOp(bareMax.cpu, bareMax.result.requestsPerSecond), gateway: cpuPerOp(max.cpu, max.result.requestsPerSecond) },
    },
  };
}
