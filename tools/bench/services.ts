/**
 * Starts the built services (and the simulator, and the bare fastify baseline) as separate processes, measures
 * the time from spawn to a 200 on their readiness URL, and stops them with SIGTERM, noting their peak RSS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMemory } from './proc.js';
import { sleep } from './stats.js';


export interface Footprint {
  name: string;
  /** Spawn to the first 200 from the readiness URL. */
  readyMs: number;
  /** VmHWM just before the process was stopped: its peak RSS over its whole life. */
  peakRssMb?: number;
  /** RSS then, and where it went by the service's own /metrics (V8 heap, memory outside the heap). */
  memoryAtStop?: { rssMb: number; heapTotalMb?: number; heapUsedMb?: number; externalMb?: number };
  /** What it was loaded with while it ran. */
  load: string;
}

export interface RunningProcess {
  name: string;
  pid: number;
  url: string;
  footprint: Footprint;
  /** SIGTERM, wait for the exit (SIGKILL after `graceMs`); records the peak RSS first. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Node flags a service is deployed with: those of its package.json `start` script (`node <flags> dist/main.js`),
 * given to it here too; BENCH_NODE_ARGS_<SERVICE> comes after them, so it can override them.
 */
export function serviceNodeFlags(root: string, service: string): string[] {
  try {
    const start = (JSON.parse(readFileSync(join(root, 'apps', service, 'package.json'), 'utf8')) as { scripts?: { start?: string } }).scripts?.start ?? '';
    return /^node\s+(.*?)\s*dist\/main\.js/.exec(start)?.[1]?.split(/\s+/).filter(Boolean) ?? [];
  } catch {
    return [];
  }
}

/** Every process the benchmark started and has not stopped yet, for the final clean-up. */
const running = new Set<RunningProcess>();

export class ProcessRegistry {
  constructor(private readonly pidFile: string, private readonly logDir: string) {
    writeFileSync(pidFile, '');
  }

  async start(options: {
    name: string;
    /** The service (apps/<service>) whose node flags it runs with, when `name` is not it (a second replica). */
    service?: string;
    command: string;
    args: string[];
    env: Record<string, string>;
    /** Base URL reported for the process. */
    url: string;
    readyUrl: string;
    /** Prometheus metrics of the process (prom-client default metrics), read just before it is stopped. */
    metricsUrl?: string;
    load: string;
    timeoutMs?: number;
  }): Promise<RunningProcess> {
    const log = createWriteStream(join(this.logDir, `${options.name}.log`), { flags: 'a' });
    const started = performance.now();
    const args = [...serviceNodeFlags(process.cwd(), options.service ?? options.name), ...options.args];
    const child: ChildProcess = spawn(options.command, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${options.name}`);
    appendFileSync(this.pidFile, `${pid} ${options.name}\n`);
    let exited = false;
    const exit = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));

    const deadline = started + (options.timeoutMs ?? 30_000);
    let readyMs: number | undefined;
    while (readyMs === undefined) {
      if (exited) throw new Error(`${options.name} exited during start (see ${join(this.logDir, `${options.name}.log`)})`);
      const ok = await fetch(options.readyUrl, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
      if (ok) readyMs = performance.now() - started;
      else if (performance.now() > deadline) throw new Error(`${options.name} not ready after ${options.timeoutMs ?? 30_000} ms`);
      else await sleep(20);
    }

    const footprint: Footprint = { name: options.name, readyMs, load: options.load };
    const proc: RunningProcess = {
      name: options.name,
      pid,
      url: options.url,
      footprint,
      async stop(graceMs = 10_000) {
        if (!running.has(proc)) return;
        running.delete(proc);
        const memory = readMemory(pid);
        if (memory) {
          footprint.peakRssMb = memory.hwmKb / 1024;
          footprint.memoryAtStop = { rssMb: memory.rssKb / 1024 };
          if (options.metricsUrl) {
            const text = await fetch(options.metricsUrl, { signal: AbortSignal.timeout(2000) }).then((r) => r.text(), () => '');
            const metric = (name: string) => {
              const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+]+)`, 'm').exec(text);
              return m ? Number(m[1]) / 2 ** 20 : undefined;
            };
            footprint.memoryAtStop = {
              rssMb: memory.rssKb / 1024,
              heapTotalMb: metric('nodejs_heap_size_total_bytes'),
              heapUsedMb: metric('nodejs_heap_size_used_bytes'),
              externalMb: metric('nodejs_external_memory_bytes'),
            };
          }
        }
        if (!exited) child.kill('SIGTERM');
        const killed = await Promise.race([exit.then(() => false), sleep(graceMs).then(() => true)]);
        if (killed && !exited) {
          child.kill('SIGKILL');
          await exit;
        }
      },
    };
    running.add(proc);
    return proc;
  }

  /** Stops whatever is still running (normal end, or an error). */
  async stopAll(): Promise<void> {
    await Promise.all([...running].map((p) => p.stop(5000)));
  }
}
