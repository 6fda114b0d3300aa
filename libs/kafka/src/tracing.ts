import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Context,
  type Link,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api';

/**
 * Trace context across Kafka: the W3C `traceparent` (and `tracestate`) in each message's headers, injected on
 * publish and extracted on consume. Only the OpenTelemetry API is used here; without a registered SDK (tracing
 * off, libs/service-kit/src/tracing.ts) every call is a no-op, so nothing is added to the messages either.
 * No span carries message data: no key (a phone number), no value.
 */
export const tracer = trace.getTracer('@sms-survey/kafka');

type Headers = Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined;

const headerGetter: TextMapGetter<Headers> = {
  keys: (carrier) => Object.keys(carrier ?? {}),
  get(carrier, key) {
    const value = carrier?.[key];
    if (value === undefined) return undefined;
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  },
};

/** The producer's context carried by a consumed message's headers (ROOT_CONTEXT when there is none). */
export function extractTraceContext(headers: Headers): Context {
  return propagation.extract(ROOT_CONTEXT, headers, headerGetter);
}

/** The trace headers (`traceparent`, `tracestate`) for a message published in `ctx`; empty when nothing is traced. */
export function traceHeaders(ctx: Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** The `traceparent` of `ctx`'s span, or undefined when it has none (tracing off): for storing a context (the outbox). */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
  const spanContext = trace.getSpanContext(ctx);
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return undefined;
  return traceHeaders(ctx).traceparent;
}

/** The context a stored `traceparent` stands for (undefined for none). */
export function contextFromTraceparent(traceparent: string | null | undefined): Context | undefined {
  if (!traceparent) return undefined;
  const ctx = propagation.extract(ROOT_CONTEXT, { traceparent });
  return trace.getSpanContext(ctx) ? ctx : undefined;
}

/**
 * The context each consumed message is processed in (its consumer span), by message object, for code that holds
 * the parsed message and not the `ConsumedEvent` (a batch handler's helpers). Only set while something is traced.
 */
const messageContexts = new WeakMap<object, Context>();

export function messageContext(message: object): Context | undefined {
  return messageContexts.get(message);
}

/** Starts the consumer span of one message, a child of its producer's; returns the span and its context. */
export function startConsumerSpan(
  topic: string,
  partition: number,
  offset: string,
  groupId: string,
  headers: Headers,
): { span: Span; ctx: Context } {
  const parent = extractTraceContext(headers);
  const span = tracer.startSpan(`process ${topic}`, { kind: SpanKind.CONSUMER }, parent);
  // Tracing off (no SDK): a no-op span with no valid context; nothing to carry.
  if (!trace.isSpanContextValid(span.spanContext())) return { span, ctx: parent };
  if (span.isRecording()) {
    span.setAttributes({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': topic,
      'messaging.destination.partition.id': String(partition),
      'messaging.consumer.group.name': groupId,
      'messaging.kafka.offset': Number(offset),
    });
  }
  return { span, ctx: trace.setSpan(parent, span) };
}

/** Remembers the context a parsed message is processed in (see `messageContext`). */
export function rememberMessageContext(message: unknown, ctx: Context, messageId?: string): void {
  const span = trace.getSpan(ctx);
  if (!span || !trace.isSpanContextValid(span.spanContext())) return;
  if (messageId !== undefined && span.isRecording()) span.setAttribute('messaging.message.id', messageId);
  if (message && typeof message === 'object') messageContexts.set(message, ctx);
}

/** A span of several messages' work (a batch), linked to each message's span. */
export function startBatchSpan(topic: string, groupId: string, contexts: readonly Context[]): { span: Span; ctx: Context } {
  const links: Link[] = [];
  for (const c of contexts) {
    const spanContext = trace.getSpanContext(c);
    if (spanContext && trace.isSpanContextValid(spanContext)) links.push({ context: spanContext });
  }
  // Nothing is traced (tracing off, or no message sampled): no span at all.
  if (links.length === 0) return { span: trace.wrapSpanContext({ traceId: '', spanId: '', traceFlags: 0 }), ctx: context.active() };
  const span = tracer.startSpan(`process ${topic}`, {
    kind: SpanKind.CONSUMER,
    links,
    root: true,
    attributes: {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': topic,
      'messaging.consumer.group.name': groupId,
      'messaging.batch.message_count': contexts.length,
    },
  });
  return { span, ctx: trace.setSpan(ROOT_CONTEXT, span) };
}

/** Ends a span with an error status (a message dead-lettered, a handler that failed for good). */
export function endSpanWithError(span: Span, message: string, error?: unknown): void {
  if (span.isRecording()) {
    if (error instanceof Error) span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: message.slice(0, 500) });
  }
  span.end();
}
