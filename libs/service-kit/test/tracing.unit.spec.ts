import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { maskPersonalData } from '../src/mask.js';
import { registerOpsRoutes } from '../src/ops-routes.js';
import { registerHttpTracing, startTracing, type Tracing } from '../src/tracing.js';

const lines = () => {
  const out: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      out.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { out, stream };
};

// The order matters: tracing is off until the last describe starts it for this process.
describe('startTracing off (the default)', () => {
  it('is off without an OTLP endpoint, with OTEL_SDK_DISABLED=true, and with OTEL_TRACES_EXPORTER=none', () => {
    expect(startTracing({ serviceName: 's', env: {} }).enabled).toBe(false);
    expect(startTracing({ serviceName: 's', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' } }).enabled).toBe(false);
    expect(startTracing({ serviceName: 's', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' } }).enabled).toBe(false);
    // Off: the API is a no-op, spans have no valid context.
    expect(trace.isSpanContextValid(trace.getTracer('t').startSpan('x').spanContext())).toBe(false);
  });

  it('stops the start on a bad standard variable, naming it', () => {
    expect(() => startTracing({ serviceName: 's', env: { OTEL_TRACES_SAMPLER: 'sometimes' } })).toThrow(ConfigError);
    expect(() => startTracing({ serviceName: 's', env: { OTEL_TRACES_SAMPLER_ARG: '2' } })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
    expect(() => startTracing({ serviceName: 's', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' } })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });

  it('log lines carry no trace ids outside a span', () => {
    const { out, stream } = lines();
    createLogger('svc', 'info', stream).info('hello');
    expect(out[0]).not.toHaveProperty('trace_id');
  });
});

describe('trace ids in logs', () => {
  it('are kept by the masking even when all digits', () => {
    expect(maskPersonalData({ trace_id: '12345678901234567890123456789012', span_id: '1234567890123456', note: 'call +4791234567' })).toEqual({
      trace_id: '12345678901234567890123456789012',
      span_id: '1234567890123456',
      note: 'call +47*****567',
    });
    // Only ids: a phone number under that key is still masked.
    expect(maskPersonalData({ trace_id: '+4791234567' })).toEqual({ trace_id: '+47*****567' });
  });
});

describe('startTracing on', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  beforeAll(() => {
    tracing = startTracing({ serviceName: 'svc-under-test', env: {}, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  });
  afterAll(() => tracing.shutdown());

  it('records spans with the service name, once per process', async () => {
    expect(tracing.enabled).toBe(true);
    expect(startTracing({ serviceName: 'other', env: {} })).toBe(tracing);
    trace.getTracer('t').startSpan('x').end();
    await tracing.forceFlush(); // the host detector's attributes come asynchronously
    expect(exporter.getFinishedSpans().at(-1)!.resource.attributes['service.name']).toBe('svc-under-test');
  });

  it('puts trace_id and span_id on the log lines written inside a span', () => {
    const { out, stream } = lines();
    const logger = createLogger('svc', 'info', stream);
    const span = trace.getTracer('t').startSpan('work');
    context.with(trace.setSpan(context.active(), span), () => logger.info({ customer: '+4791234567' }, 'inside'));
    span.end();
    logger.info('outside');
    expect(out[0]).toMatchObject({ trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId, customer: '+47*****567' });
    expect(out[1]).not.toHaveProperty('trace_id');
  });

  it('gives each webhook and API request a span named by its route, continuing a caller\'s traceparent, with no URL, query or body', async () => {
    exporter.reset();
    const registry = new Registry();
    const app = Fastify();
    registerHttpTracing(app, { registry, traced: (route) => route.startsWith('/v1/') || route.startsWith('/twilio/') });
    registerOpsRoutes(app, { checks: [{ name: 'always', check: () => true }], registry });
    let activeInHandler: string | undefined;
    app.post('/twilio/messaging/status', async (request) => {
      activeInHandler = trace.getActiveSpan()?.spanContext().spanId;
      return { got: Object.keys(request.body as object) };
    });
    app.get('/v1/surveys/:surveyId', async (_request, reply) => reply.code(503).send({ error: 'x' }));
    app.get('/console/*', async () => 'static');

    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await app.inject({ method: 'POST', url: '/twilio/messaging/status?commandId=abc', headers: { traceparent }, payload: { To: '+4791234567', Body: 'secret' } });
    await app.inject({ method: 'GET', url: '/v1/surveys/csat' });
    for (const url of ['/healthz', '/readyz', '/metrics', '/console/app.js', '/nowhere']) await app.inject({ method: 'GET', url });

    await tracing.forceFlush();
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['POST /twilio/messaging/status', 'GET /v1/surveys/:surveyId']);
    const [webhook, api] = spans;
    expect(webhook!.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(webhook!.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(activeInHandler).toBe(webhook!.spanContext().spanId);
    expect(webhook!.attributes).toEqual({ 'http.request.method': 'POST', 'http.route': '/twilio/messaging/status', 'http.response.status_code': 200 });
    expect(api!.status.code).toBe(2); // ERROR: a 5xx
    expect(JSON.stringify(spans.map((s) => [s.attributes, s.events]))).not.toMatch(/4791234567|secret|commandId|csat/);

    const metrics = await registry.metrics();
    expect(metrics).toContain('http_server_request_duration_seconds_count{method="POST",route="/twilio/messaging/status",status_code="200"} 1');
    expect(metrics).toContain('http_server_request_duration_seconds_count{method="GET",route="/v1/surveys/:surveyId",status_code="503"} 1');
    expect(metrics).not.toMatch(/route="\/(healthz|readyz|metrics|console)/);
    expect(metrics).toContain('service_ready 1');
    expect(metrics).toContain('service_readiness_check{check="always"} 1');
    await app.close();
  });
});
