import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@sms-survey/testing';
import { childProcessBaseEnv } from './harness-env.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export type ServiceApp = 'survey-orchestrator' | 'sms-dispatcher' | 'insights-sync' | 'ingest-gateway';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Epoch ms of the exit. */
  at: number;
}

export interface ServiceProcess {
  /** A name for logs and messages, e.g. `sms-dispatcher#3`. */
  name: string;
  app: ServiceApp;
  pid: number;
  /** Its ops server (`/readyz`, `/metrics`). */
  url: string;
  startedAt: number;
  /** The last part of what it wrote (stdout and stderr together). */
  output(): string;
  exited: Promise<Exit>;
  hasExited(): boolean;
  /** Resolves once `/readyz` answers 200; rejects if the process exits first or `timeoutMs` passes. */
  ready(timeoutMs?: number): Promise<void>;
  /** Sends `signal` (unless it has exited) and waits for the exit; SIGKILL if it has not exited after `graceMs`. */
  stop(signal: NodeJS.Signals, graceMs?: number): Promise<Exit>;
}

const OUTPUT_LIMIT = 64 * 1024;

/**
 * Processes started by `spawnService` and not yet exited: killed (SIGKILL) if the test process exits without
 * stopping them, so a failed or interrupted test leaves nothing running.
 */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/**
 * Runs a service's real entry point (`node --import tsx apps/<app>/src/main.ts`) as its own process, as a
 * supervisor would, on a free port; `env` is all it gets (plus PATH and HOME).
 */
export async function spawnService(app: ServiceApp, name: string, env: Record<string, string>): Promise<ServiceProcess> {
  installExitHook();
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join('apps', app, 'src', 'main.ts')], {
    cwd: repoRoot,
    env: { ...childProcessBaseEnv, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  live.add(child);
  let output = '';
  const append = (d: Buffer) => {
    output += d.toString();
    if (output.length > OUTPUT_LIMIT * 2) output = output.slice(-OUTPUT_LIMIT);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  let exit: Exit | undefined;
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      exit = { code, signal, at: Date.now() };
      resolve(exit);
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const proc: ServiceProcess = {
    name,
    app,
    pid: child.pid,
    url,
    startedAt: Date.now(),
    output: () => output.slice(-OUTPUT_LIMIT),
    exited,
    hasExited: () => exit !== undefined,
    async ready(timeoutMs = 40_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (exit) throw new Error(`${name} exited (${exit.signal ?? exit.code}) before it was ready:\n${proc.output().slice(-3000)}`);
        const ok = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
        if (ok) return;
        if (Date.now() > deadline) throw new Error(`${name} not ready after ${timeoutMs} ms:\n${proc.output().slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop(signal, graceMs = 15_000) {
      if (!exit) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  return proc;
}
