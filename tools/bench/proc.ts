/**
 * Reading /proc: memory (VmRSS, VmHWM) of a process, CPU time of processes and of the whole machine. Used to
 * show where the two cores went during each scenario, and the footprint of each service.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface MemoryKb {
  rssKb: number;
  /** Peak resident set size since the process started. */
  hwmKb: number;
}

export function readMemory(pid: number): MemoryKb | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds a process has used so far. */
export function readCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at "state"; utime and stime are 14 and 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

/** The Kafka broker's JVM on this machine (kafka.Kafka main class), if it runs here. */
export function findKafkaBrokerPids(): number[] {
  return allPids().filter((pid) => / kafka\.Kafka /.test(cmdline(pid) + ' '));
}

/**
 * PostgreSQL's processes that work for us: the server's own (postmaster, WAL writer, checkpointer, …) and the
 * backends of our database. Backends of other databases (other engineers' tests) are left out.
 */
export function findPostgresPids(database: string): number[] {
  return allPids().filter((pid) => {
    const cmd = cmdline(pid);
    if (!cmd.startsWith('postgres:') && !/\/bin\/postgres( |$)/.test(cmd)) return false;
    const isBackend = /\(\d+\)|\[local\]/.test(cmd);
    return !isBackend || cmd.includes(` ${database} `);
  });
}

/** Busy and total CPU seconds of the whole machine (all cores) from /proc/stat. */
export function readMachineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((s, x) => s + x, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK };
}

export type PidSource = () => number[];

/**
 * Measures the CPU used by groups of processes over an interval (cores = CPU seconds / wall seconds). Processes
 * are sampled every `intervalMs`, so ones that start or end during the interval are counted too (up to their
 * last sample).
 */
export class CpuMeter {
  private first = new Map<string, Map<number, number>>();
  private last = new Map<string, Map<number, number>>();
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private machineStart = { busy: 0, total: 0 };

  constructor(private readonly groups: Record<string, PidSource>, private readonly intervalMs = 500) {}

  start(): void {
    this.startedAt = performance.now();
    this.machineStart = readMachineCpu();
    for (const name of Object.keys(this.groups)) {
      this.first.set(name, new Map());
      this.last.set(name, new Map());
    }
    this.sample(true);
    this.timer = setInterval(() => this.sample(false), this.intervalMs);
  }

  private sample(initial: boolean): void {
    for (const [name, source] of Object.entries(this.groups)) {
      let pids: number[] = [];
      try {
        pids = source();
      } catch {
        pids = [];
      }
      const first = this.first.get(name)!;
      const last = this.last.get(name)!;
      for (const pid of pids) {
        const cpu = readCpuSeconds(pid);
        if (cpu === undefined) continue;
        // A process first seen after the start began during the interval: count all of its CPU.
        if (!first.has(pid)) first.set(pid, initial ? cpu : 0);
        last.set(pid, cpu);
      }
    }
  }

  /** Cores used by each group, by the machine as a whole, and by everything else on it. */
  stop(): { seconds: number; cores: Record<string, number>; machineCores: number; otherCores: number } {
    this.sample(false);
    clearInterval(this.timer);
    const seconds = (performance.now() - this.startedAt) / 1000;
    const machineEnd = readMachineCpu();
    const cores: Record<string, number> = {};
    let ours = 0;
    for (const name of Object.keys(this.groups)) {
      const first = this.first.get(name)!;
      const last = this.last.get(name)!;
      let used = 0;
      for (const [pid, end] of last) used += end - (first.get(pid) ?? end);
      cores[name] = used / seconds;
      ours += used;
    }
    const machineBusy = machineEnd.busy - this.machineStart.busy;
    return { seconds, cores, machineCores: machineBusy / seconds, otherCores: Math.max(0, (machineBusy - ours) / seconds) };
  }
}
