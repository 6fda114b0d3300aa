import { SpanKind, SpanStatusCode, context, propagation, trace, type Context, type Span } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, hostDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Histogram, type Registry } from 'prom-client';
import { z } from 'zod';
import { commonEnv, parseConfig } from './config.js';

/**
 * The standard OpenTelemetry variables the services honour (docs/observability.md, docs/configuration.md). They
 * are part of every service's configuration (commonEnv), so a bad value stops the start naming it; the SDK and
 * the OTLP exporter read the rest of the OTEL_* variables themselves (OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT,
 * OTEL_BSP_*, span limits).
 */
export const TracingEnv = z.object({
  OTEL_SDK_DISABLED: commonEnv.OTEL_SDK_DISABLED,
  OTEL_EXPORTER_OTLP_ENDPOINT: commonEnv.OTEL_EXPORTER_OTLP_ENDPOINT,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: commonEnv.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
  OTEL_TRACES_EXPORTER: commonEnv.OTEL_TRACES_EXPORTER,
  OTEL_SERVICE_NAME: commonEnv.OTEL_SERVICE_NAME,
  OTEL_RESOURCE_ATTRIBUTES: commonEnv.OTEL_RESOURCE_ATTRIBUTES,
  OTEL_TRACES_SAMPLER: commonEnv.OTEL_TRACES_SAMPLER,
  OTEL_TRACES_SAMPLER_ARG: commonEnv.OTEL_TRACES_SAMPLER_ARG,
});

export interface Tracing {
  /** Spans are recorded and exported. */
  readonly enabled: boolean;
  /** Exports what is still buffered. */
  forceFlush(): Promise<void>;
  /** Exports what is buffered and unregisters the SDK (the API is a no-op again). */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { enabled: false, forceFlush: async () => undefined, shutdown: async () => undefined };
let current: Tracing | undefined;

/**
 * Starts OpenTelemetry tracing for the process, once, before the service starts (runService does it): a
 * NodeTracerProvider (AsyncLocalStorage context, W3C trace-context and baggage propagation, the sampler of
 * OTEL_TRACES_SAMPLER / _ARG, parent-based always-on by default) exporting over OTLP/HTTP to
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces.
 *
 * Off, with nothing registered (every span a no-op of the OpenTelemetry API, so the hot paths pay next to
 * nothing), when neither endpoint is set, when OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none.
 * OTEL_TRACES_EXPORTER=console prints spans instead (debugging). Tests pass `spanProcessors` (an in-memory
 * exporter) instead of the environment's exporter.
 */
export function startTracing(options: { serviceName: string; env?: NodeJS.ProcessEnv; spanProcessors?: SpanProcessor[] }): Tracing {
  if (current) return current;
  const env = parseConfig(TracingEnv, options.env);
  if (env.OTEL_SDK_DISABLED) return OFF;
  let spanProcessors = options.spanProcessors;
  if (!spanProcessors) {
    const exporter = env.OTEL_TRACES_EXPORTER;
    const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
    if (exporter === 'console') spanProcessors = [new BatchSpanProcessor(new ConsoleSpanExporter())];
    else if (exporter === 'otlp' && endpoint) {
      // The URL as the specification derives it; the exporter reads the other OTEL_EXPORTER_OTLP_* itself.
      const url = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? `${env.OTEL_EXPORTER_OTLP_ENDPOINT!.replace(/\/+$/, '')}/v1/traces`;
      spanProcessors = [new BatchSpanProcessor(new OTLPTraceExporter({ url }))];
    } else return OFF;
  }
  // OTEL_RESOURCE_ATTRIBUTES add to the resource; OTEL_SERVICE_NAME, else theirs, else the service's own name.
  const attributes = parseResourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES);
  const resource = defaultResource()
    .merge(detectResources({ detectors: [hostDetector] }))
    .merge(resourceFromAttributes({ ...attributes, [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? attributes[ATTR_SERVICE_NAME] ?? options.serviceName }));
  const provider = new NodeTracerProvider({ resource, spanProcessors, sampler: samplerOf(env.OTEL_TRACES_SAMPLER, env.OTEL_TRACES_SAMPLER_ARG) });
  provider.register({ propagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }) });
  const started: Tracing = {
    enabled: true,
    forceFlush: () => provider.forceFlush(),
    async shutdown() {
      if (current === started) current = undefined;
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
  current = started;
  return started;
}

/** OTEL_TRACES_SAMPLER and _ARG (the specification's values; the ratio defaults to 1). */
function samplerOf(name: z.output<typeof TracingEnv>['OTEL_TRACES_SAMPLER'], ratio = 1): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
    case 'parentbased_always_on':
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/** `key=value,key2=value2` (values percent-encoded), as OTEL_RESOURCE_ATTRIBUTES has them; bad pairs are skipped. */
function parseResourceAttributes(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (text ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    try {
      out[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      // not percent-decodable: left out
    }
  }
  return out;
}

/** The trace ids of the active span, for log lines (libs/service-kit/src/logger.ts); empty outside a span. */
export function activeTraceIds(): { trace_id?: string; span_id?: string } {
  const spanContext = trace.getSpanContext(context.active());
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

const OPS_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Spans and latency for an HTTP application's requests, registered right after the fastify instance is made:
 * a SERVER span per request (a child of the caller's `traceparent`, if any), named by method and route template
 * (`POST /twilio/messaging/inbound`, `GET /v1/surveys/:surveyId`), with the method, route and status code as its
 * only attributes (no URL, query, header or body: they hold phone numbers and messages); the route's handler
 * runs in it, so what it publishes to Kafka continues the trace. `http_server_request_duration_seconds` by
 * method, route and status code. The ops routes (/healthz, /readyz, /metrics) and requests that match no route
 * are left out of both; so are routes `traced` says no to.
 */
export function registerHttpTracing(app: FastifyInstance, options: { registry: Registry; traced?: (route: string) => boolean }): void {
  const tracer = trace.getTracer('@sms-survey/service-kit/http');
  const duration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'HTTP requests by method, route template and status code (the webhooks and the public API; not the ops routes)',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [options.registry],
  });
  const traced = (route: string | undefined): route is string => route !== undefined && !OPS_ROUTES.has(route) && (options.traced?.(route) ?? true);
  const requests = new WeakMap<FastifyRequest, { span: Span; ctx: Context; started: number; route: string }>();

  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url;
    if (!traced(route)) return done();
    const parent = propagation.extract(context.active(), request.headers);
    const span = tracer.startSpan(`${request.method} ${route}`, { kind: SpanKind.SERVER }, parent);
    if (span.isRecording()) span.setAttributes({ 'http.request.method': request.method, 'http.route': route });
    requests.set(request, { span, ctx: trace.setSpan(parent, span), started: performance.now(), route });
    done();
  });
  // The handler runs in the request's span: body parsing and hooks may have left its async context.
  app.addHook('onRoute', (routeOptions) => {
    const handler = routeOptions.handler;
    routeOptions.handler = function tracedHandler(this: unknown, request, reply) {
      const entry = requests.get(request);
      return entry ? context.with(entry.ctx, () => handler.call(this as never, request, reply)) : handler.call(this as never, request, reply);
    };
  });
  app.addHook('onResponse', (request, reply, done) => {
    const entry = requests.get(request);
    if (entry) {
      requests.delete(request);
      const status = reply.statusCode;
      duration.observe({ method: request.method, route: entry.route, status_code: String(status) }, (performance.now() - entry.started) / 1000);
      if (entry.span.isRecording()) {
        entry.span.setAttribute('http.response.status_code', status);
        if (status >= 500) entry.span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
      }
      entry.span.end();
    }
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    const entry = requests.get(request);
    if (entry) {
      requests.delete(request);
      if (entry.span.isRecording()) entry.span.setStatus({ code: SpanStatusCode.ERROR, message: 'request aborted by the client' });
      entry.span.end();
    }
    done();
  });
}
