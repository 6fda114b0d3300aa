import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import pino, { type Logger } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, freePort, silentLogger, testEnv } from '@sms-survey/testing';
import { loadGatewayConfig, startGateway } from '../src/index.js';

// The gateway starts without a broker, says so on /readyz, and becomes ready once one appears: here a TCP proxy
// to the real broker, opened on the port the gateway was configured with only after the gateway started.

vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

/** Forwards every connection on 127.0.0.1:`port` to `target` ("host:port"). */
async function startProxy(port: number, target: string): Promise<{ server: Server; close(): Promise<void> }> {
  const [host, targetPort] = target.split(':') as [string, string];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(targetPort), host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => { client.destroy(); upstream.destroy(); });
    }
    client.pipe(upstream).pipe(client);
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return {
    server,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function get(url: string): Promise<{ status: number; body: { status?: string; failing?: string[] } }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as { status?: string; failing?: string[] } };
}

/** A logger that keeps its lines, so a test can wait for the gateway to report a failed connect attempt. */
function recordingLogger() {
  const lines: string[] = [];
  return { lines, logger: pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) }) };
}

/** Starts the gateway pointed at a port where nothing listens yet; the caller opens a proxy there later. */
async function startWithoutBroker(logger: Logger = silentLogger()) {
  const port = await freePort();
  // A database of its own: readiness also checks the database, and the default one need not exist.
  const database = await createTestDatabase();
  cleanups.push(() => database.drop());
  const config = loadGatewayConfig({ PORT: '0', KAFKA_BROKERS: `127.0.0.1:${port}`, DATABASE_URL: database.url });
  expect(config.KAFKA_BROKERS).toEqual([`127.0.0.1:${port}`]);
  const gateway = await startGateway(config, logger);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await gateway.stop();
  };
  cleanups.push(stop);
  return { port, gateway, stop };
}

async function expectReadyWithin30s(base: string): Promise<void> {
  const appeared = performance.now();
  await expect
    .poll(async () => (await get(`${base}/readyz`)).body, { timeout: 30_000, interval: 250 })
    .toEqual({ status: 'ready', failing: [] });
  expect(performance.now() - appeared).toBeLessThan(30_000);
}

async function expectStopsCleanly(base: string, stop: () => Promise<void>): Promise<void> {
  const started = performance.now();
  await stop();
  // runService gives a stopping service 9 s before it exits non-zero.
  expect(performance.now() - started).toBeLessThan(9000);
  await expect(fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
}

describe('gateway readiness', () => {
  it('is alive but not ready without a broker, becomes ready once one appears, and stops cleanly', async () => {
    const { port, gateway, stop } = await startWithoutBroker();

    expect((await get(`${gateway.url}/healthz`)).status).toBe(200);
    const notReady = await get(`${gateway.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(notReady.body).toEqual({ status: 'not ready', failing: ['kafka-producer', 'kafka-broker'] });

    const proxy = await startProxy(port, testEnv.kafkaBrokers[0]!);
    cleanups.push(() => proxy.close());
    await expectReadyWithin30s(gateway.url);
    expect((await get(`${gateway.url}/healthz`)).status).toBe(200);

    await expectStopsCleanly(gateway.url, stop);
  });

  it('keeps trying after a whole connect attempt failed', async () => {
    const { lines, logger } = recordingLogger();
    const { port, gateway, stop } = await startWithoutBroker(logger);

    // kafkajs gives up one connect after ~20 s of its own retries; the gateway must then try again.
    await expect.poll(() => lines.some((l) => l.includes('connect to Kafka failed; retrying')), { timeout: 40_000, interval: 250 }).toBe(true);
    expect((await get(`${gateway.url}/readyz`)).status).toBe(503);

    const proxy = await startProxy(port, testEnv.kafkaBrokers[0]!);
    cleanups.push(() => proxy.close());
    await expectReadyWithin30s(gateway.url);

    await expectStopsCleanly(gateway.url, stop);
  }, 90_000);

  it('stops promptly while still waiting for a broker that never comes', async () => {
    const { gateway, stop } = await startWithoutBroker();
    expect((await get(`${gateway.url}/readyz`)).status).toBe(503);
    await expectStopsCleanly(gateway.url, stop);
  });
});
