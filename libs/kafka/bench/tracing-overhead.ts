// Micro-benchmark of what tracing adds to publish and consume (issue 16), without a broker: the producer's
// publish() against a kafkajs stand-in that acknowledges at once, and the consumer's per-message tracing (extract,
// consumer span, remembered context, handler run in it, end) next to the message's own parse. Each case runs in
// three set-ups: no SDK (tracing off, the default), SDK sampling nothing, SDK sampling everything (batched
// in-memory export). With --baseline it also runs the producer as it was before tracing (git show <commit>).
//
//   npx tsx libs/kafka/bench/tracing-overhead.ts [--baseline=<commit>] [--n=20000] [--runs=9]
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AlwaysOffSampler, AlwaysOnSampler, BatchSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Kafka } from 'kafkajs';
import { InboundSmsReceived, Topics, createMessage } from '@sms-survey/contracts';
import { createEventProducer, type EventProducer } from '../src/producer.js';
import { endSpanWithError, rememberMessageContext, startConsumerSpan, traceHeaders } from '../src/tracing.js';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const N = Number(args.n ?? 20_000);
const RUNS = Number(args.runs ?? 9);
const here = dirname(fileURLToPath(import.meta.url));

const fakeKafka = { producer: () => ({ connect: async () => {}, disconnect: async () => {}, sendBatch: async () => [] }) } as unknown as Kafka;
const message = createMessage(InboundSmsReceived, {
  type: 'sms.inbound.received',
  schemaVersion: 1,
  payload: { messageSid: `SM${'a'.repeat(32)}`, accountSid: `AC${'0'.repeat(32)}`, from: '+4791234567', to: '+4790000000', body: 'Very happy, thanks', receivedAt: new Date().toISOString() },
});

/** This process's CPU time (user + system) in ns: less disturbed than wall time by other work on the machine. */
const cpuNs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
};

async function timePublish(producer: EventProducer): Promise<number> {
  // Callers that each wait for their ack (a webhook), 64 at a time, as the gateway does under load.
  const started = cpuNs();
  for (let done = 0; done < N; done += 64) {
    await Promise.all(Array.from({ length: 64 }, () => producer.publish([{ topic: Topics.inboundSms, key: '+4791234567', message }], { validated: true })));
  }
  return (cpuNs() - started) / N;
}

function timeConsume(traced: boolean, headers: Record<string, Buffer>): number {
  const value = Buffer.from(JSON.stringify(message));
  let sink = 0;
  const started = cpuNs();
  for (let i = 0; i < N; i++) {
    const parsed = InboundSmsReceived.parse(JSON.parse(value.toString('utf8')));
    if (traced) {
      const { span, ctx } = startConsumerSpan('sms.inbound.v1', 0, String(i), 'survey-orchestrator', headers);
      rememberMessageContext(parsed, ctx, parsed.id);
      sink += context.with(ctx, () => parsed.payload.body.length);
      if (i % 1000 === 999) endSpanWithError(span, 'x');
      else span.end();
    } else sink += parsed.payload.body.length;
  }
  if (sink < 0) console.log(sink);
  return (cpuNs() - started) / N;
}

async function median(runs: number, f: () => Promise<number> | number): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(await f());
  return xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

const results: Record<string, Record<string, number>> = {};
const record = (setup: string, what: string, ns: number) => ((results[setup] ??= {})[what] = Math.round(ns));

let baselineFile: string | undefined;
if (args.baseline) {
  baselineFile = join(here, '.baseline-producer.ts');
  writeFileSync(baselineFile, execFileSync('git', ['show', `${args.baseline}:libs/kafka/src/producer.ts`], { cwd: join(here, '../../..') }));
}
try {
  const headersOf = (traced: boolean): Record<string, Buffer> => {
    if (!traced) return {};
    const span = trace.getTracer('bench').startSpan('upstream');
    const carrier = traceHeaders(trace.setSpan(context.active(), span));
    span.end();
    return Object.fromEntries(Object.entries(carrier).map(([k, v]) => [k, Buffer.from(v)]));
  };
  async function runAll(setup: string) {
    const producer = createEventProducer(fakeKafka);
    await timePublish(producer); // warm-up
    record(setup, 'publish', await median(RUNS, () => timePublish(producer)));
    const headers = headersOf(true);
    timeConsume(false, {});
    timeConsume(true, headers);
    // Interleaved, so that both see the same machine.
    const plain: number[] = [];
    const traced: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      plain.push(timeConsume(false, {}));
      traced.push(timeConsume(true, headers));
    }
    const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    record(setup, 'consume: parse only', med(plain));
    record(setup, 'consume: parse + tracing', med(traced));
    record(setup, 'consume: tracing adds', med(traced.map((t, i) => t - plain[i]!)));
  }
  if (baselineFile) {
    const { createEventProducer: baseline } = (await import(baselineFile)) as { createEventProducer: typeof createEventProducer };
    const producer = baseline(fakeKafka);
    await timePublish(producer);
    record('before tracing', 'publish', await median(RUNS, () => timePublish(producer)));
  }
  await runAll('tracing off (no SDK)');
  for (const [setup, sampler] of [['SDK, sampling nothing', new AlwaysOffSampler()], ['SDK, sampling everything', new AlwaysOnSampler()]] as const) {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ sampler, spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 100_000, maxExportBatchSize: 5000 })] });
    provider.register({ propagator: new W3CTraceContextPropagator() });
    await runAll(setup);
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  }
} finally {
  if (baselineFile) rmSync(baselineFile, { force: true });
}
console.log(`CPU ns per message, median of ${RUNS} runs of ${N} messages`);
console.table(results);
