import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<boolean> | boolean;
}

/** How long /readyz waits for one check; Kubernetes' default probe timeout is 1 s. */
const CHECK_TIMEOUT_MS = 800;

function withTimeout(check: ReadinessCheck['check']): Promise<boolean> {
  return Promise.race([
    Promise.resolve().then(check),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), CHECK_TIMEOUT_MS).unref()),
  ]);
}

/**
 * Wraps a slow probe so that concurrent callers share one attempt and its answer is reused for `cacheMs`;
 * a probe that hangs (a database that does not answer) never piles up.
 */
export function sharedProbe(probe: () => Promise<boolean>, cacheMs = 1000): () => Promise<boolean> {
  let last = { at: 0, ok: false };
  let inFlight: Promise<boolean> | undefined;
  return () => {
    if (Date.now() - last.at < cacheMs) return Promise.resolve(last.ok);
    inFlight ??= probe()
      .catch(() => false)
      .then((ok) => {
        last = { at: Date.now(), ok };
        inFlight = undefined;
        return ok;
      });
    return inFlight;
  };
}

export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * GET /healthz: the process is alive. GET /readyz: every dependency answers right now (503 with the failing
 * ones otherwise). GET /metrics: Prometheus text format.
 */
export function registerOpsRoutes(app: FastifyInstance, options: { checks: readonly ReadinessCheck[]; registry: Registry }): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const results = await Promise.all(
      options.checks.map(async (c) => {
        try {
          return { name: c.name, ok: await withTimeout(c.check) };
        } catch {
          return { name: c.name, ok: false };
        }
      }),
    );
    const failing = results.filter((r) => !r.ok).map((r) => r.name);
    return reply.code(failing.length ? 503 : 200).send({ status: failing.length ? 'not ready' : 'ready', failing });
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', options.registry.contentType);
    return options.registry.metrics();
  });
}
