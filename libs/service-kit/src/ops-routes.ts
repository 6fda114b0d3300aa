import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

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
  const runChecks = () =>
    Promise.all(
      options.checks.map(async (c) => {
        try {
          return { name: c.name, ok: await withTimeout(c.check) };
        } catch {
          return { name: c.name, ok: false };
        }
      }),
    );
  // What /readyz answers, on /metrics too (each check is bounded and cached, so a scrape costs little): an alert
  // can say which dependency a service has lost, and that no replica is ready.
  if (!options.registry.getSingleMetric('service_ready')) {
    // Both gauges of one scrape share one run of the checks.
    let scrape: ReturnType<typeof runChecks> | undefined;
    const shared = () => (scrape ??= runChecks().finally(() => setImmediate(() => (scrape = undefined))));
    new Gauge({
      name: 'service_readiness_check',
      help: 'Readiness checks (as /readyz): 1 passing, 0 failing',
      labelNames: ['check'] as const,
      registers: [options.registry],
      async collect() {
        const results = await shared();
        this.reset();
        for (const r of results) this.set({ check: r.name }, r.ok ? 1 : 0);
      },
    });
    new Gauge({
      name: 'service_ready',
      help: '1 when every readiness check passes (GET /readyz answers 200), else 0',
      registers: [options.registry],
      async collect() {
        this.set((await shared()).every((r) => r.ok) ? 1 : 0);
      },
    });
  }
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const results = await runChecks();
    const failing = results.filter((r) => !r.ok).map((r) => r.name);
    return reply.code(failing.length ? 503 : 200).send({ status: failing.length ? 'not ready' : 'ready', failing });
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', options.registry.contentType);
    return options.registry.metrics();
  });
}
