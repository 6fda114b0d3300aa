import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { startTracing } from '../src/tracing.js';

// With OTEL_EXPORTER_OTLP_ENDPOINT set, spans reach the collector over OTLP/HTTP (a stand-in collector here).

describe('startTracing with an OTLP endpoint', () => {
  const received: { url: string; body: string; type: string | undefined }[] = [];
  const collector = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      received.push({ url: request.url ?? '', body: Buffer.concat(chunks).toString('utf8'), type: request.headers['content-type'] });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  afterAll(() => new Promise<void>((resolve) => collector.close(() => resolve())));

  it('exports the spans to <endpoint>/v1/traces with the service name and OTEL_RESOURCE_ATTRIBUTES, and flushes on shutdown', async () => {
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    const tracing = startTracing({
      serviceName: 'sms-dispatcher',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test' },
    });
    expect(tracing.enabled).toBe(true);
    trace.getTracer('t').startSpan('exported span').end();
    await tracing.shutdown();
    expect(received.map((r) => r.url)).toEqual(['/v1/traces']);
    const body = received[0]!.body;
    expect(body).toContain('exported span');
    expect(body).toContain('sms-dispatcher');
    expect(body).toContain('deployment.environment.name');
  });
});
