import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<boolean> | boolean;
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
          return { name: c.name, ok: await c.check() };
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
