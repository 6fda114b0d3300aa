import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildSimulator } from '../src/index.js';

const appDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

describe('start-up', () => {
  // First test in its own file, so the Twilio specs are read cold.
  it('is ready in well under a second, specs included', async () => {
    const started = performance.now();
    const { app } = buildSimulator({ accountSid: `AC${'0'.repeat(32)}`, authToken: 't' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const elapsedMs = performance.now() - started;
    await app.close();
    // Typically ~250 ms, most of it Fastify's first listen; reading the specs takes ~20 ms.
    expect(elapsedMs).toBeLessThan(1000);
  });

  it('runs standalone from main.ts with env config, and exits cleanly on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: appDir,
      env: { ...process.env, SIMULATOR_PORT: String(port), TWILIO_AUTH_TOKEN: 'standalone-token' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await expect.poll(() => output, { timeout: 15_000, interval: 100 }).toContain('Twilio simulator ready');

      const health = await fetch(`http://127.0.0.1:${port}/__sim/health`);
      expect(health.status).toBe(200);
      const auth = Buffer.from(`AC${'0'.repeat(32)}:standalone-token`).toString('base64');
      const workspaces = await fetch(`http://127.0.0.1:${port}/taskrouter/v1/Workspaces`, { headers: { authorization: `Basic ${auth}` } });
      expect(workspaces.status).toBe(200);

      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 20_000);
});
