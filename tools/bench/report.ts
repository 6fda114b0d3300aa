/** The results table: each figure next to the baseline measured in the same run, the ratio, the target. */
import type { GatewayResults } from './scenario-gateway.js';
import type { DispatcherResults } from './scenario-dispatcher.js';
import type { RepliesResults } from './scenario-replies.js';
import type { HotSenderResults, ReplicaResults } from './scenario-scale.js';
import type { Footprint } from './services.js';

export interface Row {
  scenario: string;
  figure: string;
  value: string;
  baseline: string;
  ratio: string;
  target: string;
  /** null: information only, no target. */
  pass: boolean | null;
}

const ms = (v: number) => (Number.isFinite(v) ? `${v < 10 ? v.toFixed(1) : v.toFixed(0)} ms` : 'n/a');
const n0 = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : 'n/a');
const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)} %` : 'n/a');

export function buildRows(r: {
  gateway?: GatewayResults;
  replies?: RepliesResults;
  dispatcher?: DispatcherResults;
  hotSender?: HotSenderResults;
  replicas?: ReplicaResults;
  footprints: Footprint[];
}): Row[] {
  const rows: Row[] = [];
  if (r.gateway) {
    const { bare, gateway } = r.gateway;
    const ratio = gateway.max.requestsPerSecond / bare.max.requestsPerSecond;
    rows.push({
      scenario: '1 gateway',
      figure: `signed webhooks/s, max (acks=all Kafka write; best of ${gateway.rounds.length} alternating rounds)`,
      value: `${n0(gateway.max.requestsPerSecond)} req/s`,
      baseline: `${n0(bare.max.requestsPerSecond)} req/s bare fastify`,
      ratio: pct(ratio),
      target: '>= 50 % of bare',
      pass: ratio >= 0.5,
    });
    rows.push({
      scenario: '1 gateway',
      figure: 'p50 / p99 at max',
      value: `${ms(gateway.max.latency.p50)} / ${ms(gateway.max.latency.p99)}`,
      baseline: `${ms(bare.max.latency.p50)} / ${ms(bare.max.latency.p99)}`,
      ratio: '',
      target: '',
      pass: null,
    });
    const rate = Math.round(gateway.steady.requestsPerSecond);
    rows.push({
      scenario: '1 gateway',
      figure: `p99 at a steady ${rate} req/s (p50 ${ms(gateway.steady.latency.p50)})`,
      value: ms(gateway.steady.latency.p99),
      baseline: `${ms(bare.steady.latency.p99)} bare`,
      ratio: '',
      target: '< 50 ms at 1,000 req/s',
      pass: gateway.steady.latency.p99 < 50 && gateway.steady.non2xx + gateway.steady.errors === 0,
    });
    rows.push({
      scenario: '1 gateway',
      figure: `p99 at ${Math.round(gateway.burstyRate.requestsPerSecond)} req/s, one autocannon instance (1 burst/s)`,
      value: ms(gateway.burstyRate.latency.p99),
      baseline: '',
      ratio: '',
      target: '',
      pass: null,
    });
  }
  if (r.replies) {
    const { pgbench, steady, max } = r.replies;
    const ratio = max.repliesPerSecond / pgbench.tps;
    rows.push({
      scenario: '2 replies',
      figure: `replies/s end to end, max (${max.burst} replies at once)`,
      value: `${n0(max.repliesPerSecond)} /s`,
      baseline: `${n0(pgbench.tps)} TPS pgbench 1-row UPDATE`,
      ratio: pct(ratio),
      target: '>= 25 % of pgbench',
      pass: ratio >= 0.25,
    });
    rows.push({
      scenario: '2 replies',
      figure: 'p50 / p99 at max (includes queueing)',
      value: `${ms(max.latency.p50)} / ${ms(max.latency.p99)}`,
      baseline: `${ms(pgbench.latencyAvgMs)} pgbench avg`,
      ratio: '',
      target: '',
      pass: null,
    });
    rows.push({
      scenario: '2 replies',
      figure: `p99 at a steady ${r.replies.steady.rate} replies/s (p50 ${ms(steady.latency.p50)})`,
      value: ms(steady.latency.p99),
      baseline: '',
      ratio: '',
      target: '< 200 ms at 300 replies/s',
      pass: steady.latency.p99 < 200 && steady.answered === steady.acknowledged && steady.acknowledged > 0,
    });
  }
  if (r.dispatcher) {
    const d = r.dispatcher;
    rows.push({
      scenario: '3 dispatcher',
      figure: `1-second windows over a sender's limit (${d.senders} senders x ${d.perSender})`,
      value: String(d.windowsOverLimit),
      baseline: `min gap ${ms(d.minGapMs)}`,
      ratio: '',
      target: '0',
      pass: d.windowsOverLimit === 0 && d.requests === d.commands,
    });
    rows.push({
      scenario: '3 dispatcher',
      figure: 'utilisation of the allowed rate',
      value: pct(d.utilisation),
      baseline: '1 msg/s per sender',
      ratio: '',
      target: '>= 95 %',
      pass: d.utilisation >= 0.95,
    });
    rows.push({
      scenario: '3 dispatcher',
      figure: 'aggregate throughput into the simulator',
      value: `${n0(d.throughput)} msg/s`,
      baseline: `${d.senders * 1} msg/s allowed`,
      ratio: pct(d.throughput / d.senders),
      target: '>= 1,000 msg/s',
      pass: d.throughput >= 1000,
    });
    if (d.capacity) {
      const c = d.capacity;
      rows.push({
        scenario: '3 dispatcher',
        figure: `capacity: throughput with the same senders at ${c.rate} msg/s each (${c.senders} x ${c.perSender}); windows over`,
        value: `${n0(c.throughput)} msg/s; ${c.windowsOverLimit}`,
        baseline: `${c.senders * c.rate} msg/s allowed; peak RSS ${c.peakRssMb === undefined ? 'n/a' : c.peakRssMb.toFixed(0)} MB`,
        ratio: pct(c.throughput / (c.senders * c.rate)),
        target: '>= 1,000 msg/s, 0 over',
        pass: c.throughput >= 1000 && c.windowsOverLimit === 0 && c.requests === c.commands,
      });
    }
  }
  if (r.hotSender) {
    const h = r.hotSender;
    const n = (v: number) => v.toLocaleString('en-US');
    rows.push({
      scenario: '5 hot sender',
      figure: `other senders' first SMS, p50 / p99 (${n(h.othersSent)} of ${n(h.others)} sent; 1 each, during ${n(h.backlog)} queued for one sender at ${h.hotRate}/s)`,
      value: `${ms(h.othersLatency.p50)} / ${ms(h.othersLatency.p99)}`,
      baseline: `${ms(h.baselineLatency.p50)} / ${ms(h.baselineLatency.p99)} with no backlog (${h.baselineSent} senders)`,
      ratio: '',
      target: 'p99 < 2 s, all sent',
      pass: h.othersLatency.p99 < 2000 && h.othersSent === h.others,
    });
    rows.push({
      scenario: '5 hot sender',
      figure: `hot sender's utilisation over a ${h.windowSeconds} s window; its windows over the limit`,
      value: `${pct(h.hotUtilisation)}; ${h.hotWindowsOverLimit}`,
      baseline: `${h.hotRate} msg/s allowed (${n(h.hotRequestsInWindow)} of ${n(h.hotRate * h.windowSeconds)} sent)`,
      ratio: '',
      target: '>= 95 %, 0 over',
      pass: h.hotUtilisation >= 0.95 && h.hotWindowsOverLimit === 0 && h.othersWindowsOverLimit === 0,
    });
    rows.push({
      scenario: '5 hot sender',
      figure: 'dispatcher RSS under that backlog: max sampled in the window (mean)',
      value: `${h.rssMaxMb.toFixed(0)} MB (${h.rssMeanMb.toFixed(0)})`,
      baseline: `${h.rssBeforeBacklogMb.toFixed(0)} MB before the backlog; peak ${h.peakRssMb === undefined ? 'n/a' : h.peakRssMb.toFixed(0)} MB`,
      ratio: '',
      target: '< 200 MB',
      pass: h.rssMaxMb < 200,
    });
  }
  if (r.replicas) {
    const { one, two, senders, rate, perSender } = r.replicas;
    const ratio = two.throughput / one.throughput;
    rows.push({
      scenario: '6 replicas',
      figure: `aggregate throughput, 2 dispatcher replicas (${senders} senders x ${rate}/s, ${perSender} each); windows over`,
      value: `${n0(two.throughput)} msg/s; ${two.windowsOverLimit}`,
      baseline: `1 replica: ${n0(one.throughput)} msg/s; ${one.windowsOverLimit} (${senders * rate} msg/s allowed)`,
      ratio: pct(ratio),
      target: '>= 1 replica, 0 over, none twice',
      pass: ratio >= 1 && two.windowsOverLimit === 0 && one.windowsOverLimit === 0 && two.duplicates === 0 && one.duplicates === 0,
    });
  }
  for (const f of r.footprints) {
    const isService = !['twilio-simulator', 'bare-fastify'].includes(f.name);
    rows.push({
      scenario: '4 footprint',
      figure: `${f.name}: peak RSS (${f.load})`,
      value: f.peakRssMb === undefined ? 'n/a' : `${f.peakRssMb.toFixed(0)} MB`,
      baseline:
        f.memoryAtStop?.heapTotalMb !== undefined
          ? `at stop: RSS ${f.memoryAtStop.rssMb.toFixed(0)}, V8 heap ${f.memoryAtStop.heapUsedMb?.toFixed(0)}/${f.memoryAtStop.heapTotalMb.toFixed(0)} MB`
          : '',
      ratio: '',
      target: isService ? '< 200 MB' : '',
      pass: isService && f.peakRssMb !== undefined ? f.peakRssMb < 200 : null,
    });
    rows.push({
      scenario: '4 footprint',
      figure: `${f.name}: start to ready`,
      value: ms(f.readyMs),
      baseline: '',
      ratio: '',
      target: isService ? '< 3 s' : '',
      pass: isService ? f.readyMs < 3000 : null,
    });
  }
  return rows;
}

export function formatTable(rows: Row[]): string {
  const header = ['scenario', 'figure', 'value', 'baseline (same run)', 'ratio', 'target', 'result'];
  const cells = rows.map((r) => [r.scenario, r.figure, r.value, r.baseline, r.ratio, r.target, r.pass === null ? '' : r.pass ? 'PASS' : 'MISS']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i]!)).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)].join('\n');
}
