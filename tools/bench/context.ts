/** What every scenario gets from the runner: configuration, the processes, CPU accounting, logging. */
import { cpus } from 'node:os';
import type { Kafka } from 'kafkajs';
import { CpuMeter, findKafkaBrokerPids, findPostgresPids, type PidSource } from './proc.js';
import type { ProcessRegistry, RunningProcess } from './services.js';

export interface BenchConfig {
  root: string;
  outDir: string;
  kafkaBrokers: string[];
  topicPrefix: string;
  databaseUrl: string;
  databaseName: string;
  /** Seconds of each timed run. */
  duration: number;
  warmup: number;
  /** Alternating max-throughput rounds of bare fastify and the gateway (the best of each counts). */
  rounds: number;
  connections: number;
  gatewayRate: number;
  replyRate: number;
  customers: number;
  replyBurst: number;
  senders: number;
  perSender: number;
  apiKey: string;
  pgbenchPath: string;
}

export interface CpuReport {
  seconds: number;
  /** Cores used by each group of processes (1.0 = one core busy all the time). */
  cores: Record<string, number>;
  machineCores: number;
  /** Busy cores not accounted for by the groups: other work on the machine. */
  otherCores: number;
}

export class BenchContext {
  readonly processes = new Map<string, RunningProcess>();
  readonly extraPids = new Map<string, () => number[]>();

  constructor(readonly config: BenchConfig, readonly registry: ProcessRegistry, readonly kafka: Kafka) {}

  log(message: string): void {
    process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
  }

  /** A CPU meter over the benchmark itself, each running process, the Kafka broker and PostgreSQL. */
  cpuMeter(): CpuMeter {
    const groups: Record<string, PidSource> = { 'bench (load generator)': () => [process.pid] };
    for (const [name, p] of this.processes) groups[name] = () => [p.pid];
    for (const [name, source] of this.extraPids) groups[name] = source;
    groups['kafka broker'] = findKafkaBrokerPids;
    groups['postgresql'] = () => findPostgresPids(this.config.databaseName);
    return new CpuMeter(groups);
  }

  async measure<T>(what: () => Promise<T>): Promise<{ result: T; cpu: CpuReport }> {
    const meter = this.cpuMeter();
    meter.start();
    try {
      const result = await what();
      return { result, cpu: meter.stop() };
    } catch (e) {
      meter.stop();
      throw e;
    }
  }
}

/** CPU microseconds per operation of each group, at `opsPerSecond` (how much of a core one request costs). */
export function cpuPerOp(cpu: CpuReport, opsPerSecond: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, cores] of Object.entries(cpu.cores)) if (cores >= 0.01) out[name] = Math.round((cores / opsPerSecond) * 1e6);
  return out;
}

export function describeCpu(cpu: CpuReport): string {
  const parts = Object.entries(cpu.cores)
    .filter(([, c]) => c >= 0.01)
    .sort((a, b) => b[1] - a[1])
    .map(([name, c]) => `${name} ${c.toFixed(2)}`);
  return `cores busy ${cpu.machineCores.toFixed(2)} of ${cpus().length}: ${parts.join(', ')}, other ${cpu.otherCores.toFixed(2)}`;
}
