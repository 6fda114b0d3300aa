import { context, type Context, type Span } from '@opentelemetry/api';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { Generation, type PartitionContext, type TopicPartition } from './generation.js';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { deadLetterTopicName, type MessageOf, type TopicDefinition } from '@sms-survey/contracts';
import type { EventProducer } from './producer.js';
import { describeError, isPartitionLost, retryFlag } from './errors.js';
import type { ConsumerMetrics } from './metrics.js';
import { endSpanWithError, rememberMessageContext, startBatchSpan, startConsumerSpan } from './tracing.js';

export interface ConsumedEvent<T> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  event: T;
  /**
   * The trace context the message is processed in: its consumer span, a child of the producer's (the headers'
   * `traceparent`). The handler runs in it; work done later or elsewhere for this message (a dispatcher lane)
   * should run in it too. Without a tracing SDK it carries nothing.
   */
  context: Context;
}

export interface BatchContext {
  heartbeat(): Promise<void>;
  /** Aborted when the consumer is stopping: finish or give up soon (unfinished work is redelivered). */
  signal: AbortSignal;
}

export interface EventConsumerOptions<T extends TopicDefinition> {
  kafka: Kafka;
  groupId: string;
  topics: readonly T[];
  /** One message at a time, in order per partition. Give this, `handleBatch`, or both. */
  handle?: (message: ConsumedEvent<MessageOf<T>>) => Promise<void>;
  /**
   * The valid messages of a fetched batch (one partition, offset order, at most `maxBatchSize`), which the
   * handler may process in any order; the offsets are committed after it resolves. Invalid messages are
   * dead-lettered before it is called. A failing batch follows the same retry policy as `handle`. When it
   * gives up, each of its messages is handed to `handle` on its own (under the same policy), so that only a
   * message at fault is dead-lettered; without `handle`, each of them is dead-lettered.
   */
  handleBatch?: (messages: ConsumedEvent<MessageOf<T>>[], context: BatchContext) => Promise<void>;
  maxBatchSize?: number;
  /**
   * Concurrent mode, instead of `handle` and `handleBatch`: each valid message is handed over as soon as it is
   * fetched, while the consumer goes on fetching; the returned promise resolves when the message is finished.
   * A partition's offset is committed (every `commitIntervalMs`) up to its lowest message not finished, so a
   * crash loses and repeats nothing that the handler's own de-duplication does not cover. Failures follow the
   * same retry policy as `handle`; a `PartitionLostError` leaves the message to the partition's next holder.
   * Everything of a group generation ends at the next rebalance (`PartitionContext.signal`): the next one
   * fetches again from the committed offsets.
   */
  handleConcurrently?: (message: ConsumedEvent<MessageOf<T>>, partition: PartitionContext) => Promise<void>;
  /** Concurrent mode: called with each generation's partitions before any of their messages is handed over; retried until it succeeds. */
  onAssigned?: (partitions: readonly PartitionContext[]) => Promise<void>;
  /** Concurrent mode: messages accepted and not finished before partitions are paused (generation.ts). */
  maxBuffered?: number;
  commitIntervalMs?: number;
  /**
   * How long the broker waits for a silent member before giving its partitions to others (a replica killed
   * with SIGKILL), and how often members heartbeat. The broker's group.min.session.timeout.ms (6 s by
   * default) is the lower bound.
   */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Used to write dead letters. */
  producer: EventProducer;
  logger: Logger;
  metrics?: ConsumerMetrics;
  /** Attempts for errors that do not say whether they are retryable. */
  maxAttempts?: number;
  /**
   * For an error that carries no `retryable` flag: `true` if it is transient (the database is unreachable),
   * `false` if retrying cannot help (the database refused the data), undefined if it cannot tell.
   */
  classifyError?: (error: unknown) => boolean | undefined;
  partitionsConsumedConcurrently?: number;
  /** Must match the producers' KAFKA_TOPIC_PREFIX; also prefixes the consumer group id. */
  topicPrefix?: string;
  /** Called when kafkajs gives up and will not restart the consumer; the process should exit non-zero. */
  onFatal: (error: unknown) => void;
  /**
   * How long `stop` waits for in-flight handlers. One still running then is abandoned: its offset stays
   * uncommitted, so its message is redelivered. Without a bound, a hung handler would block `stop` forever.
   */
  stopGraceMs?: number;
}

export interface EventConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** True once the consumer has joined its group and until it stops or crashes. */
  isRunning(): boolean;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const onAbort = () => { clearTimeout(t); resolve(); };
    const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** `work`, or a rejection with the signal's reason once the signal aborts, whichever comes first. */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => { onAbort = () => reject(signal.reason); });
  signal.addEventListener('abort', onAbort, { once: true });
  return Promise.race([work, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}

/**
 * Consumes topics with at-least-once delivery: a message's offset is committed only after its handler
 * resolved (kafkajs commits resolved offsets after each batch), so a crash redelivers and handlers must be
 * idempotent. A message that fails its schema, or whose handler keeps failing, is copied with the reason to
 * `<topic>.dlq` and the consumer moves on.
 */
export function createEventConsumer<T extends TopicDefinition>(options: EventConsumerOptions<T>): EventConsumer {
  const { kafka, topics, handle, handleBatch, producer, logger, metrics } = options;
  // Environments (and test runs) that share a cluster through a topic prefix must not share consumer groups:
  // a group's members divide every subscribed topic between them, whoever subscribed to it.
  const groupId = (options.topicPrefix ?? '') + options.groupId;
  const { handleConcurrently } = options;
  if (!handle && !handleBatch && !handleConcurrently) throw new Error('give handle, handleBatch (or both), or handleConcurrently');
  if (handleConcurrently && (handle || handleBatch)) throw new Error('handleConcurrently replaces handle and handleBatch');
  const maxAttempts = options.maxAttempts ?? 5;
  const stopGraceMs = options.stopGraceMs ?? 5000;
  const prefix = options.topicPrefix ?? '';
  const schemas = new Map<string, z.ZodType>(topics.map((t) => [prefix + t.name, t.schema]));
  let consumer: Consumer | undefined;
  let running = false;
  let stopping = false;
  /** Aborted when `stop` is called (ends retry back-offs), and `stopGraceMs` later (abandons handlers). */
  let stopRequested = new AbortController();
  let abandon = new AbortController();

  async function deadLetter(topic: string, partition: number, message: KafkaMessage, reason: string): Promise<void> {
    logger.warn({ topic, partition, offset: message.offset, reason }, 'message dead-lettered');
    metrics?.deadLettered.inc({ topic, group: groupId });
    await producer.publishRaw([
      {
        topic: deadLetterTopicName(topic),
        key: message.key,
        value: message.value,
        headers: {
          ...(message.headers as Record<string, Buffer>),
          'dlq-reason': reason.slice(0, 4000),
          'dlq-original-topic': topic,
          'dlq-original-partition': String(partition),
          'dlq-original-offset': message.offset,
          'dlq-consumer-group': groupId,
          'dlq-failed-at': new Date().toISOString(),
        },
      },
    ]);
  }

  function parse(topic: string, message: KafkaMessage): { ok: true; value: unknown } | { ok: false; reason: string } {
    const schema = schemas.get(topic);
    if (!schema) return { ok: false, reason: `no schema for topic ${topic}` };
    let json: unknown;
    try {
      json = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch (e) {
      return { ok: false, reason: `not JSON: ${describeError(e)}` };
    }
    const result = schema.safeParse(json);
    if (!result.success) {
      const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      return { ok: false, reason: `schema validation failed: ${issues}` };
    }
    return { ok: true, value: result.data };
  }

  function toEvent(topic: string, partition: number, message: KafkaMessage, value: unknown, ctx: Context): ConsumedEvent<MessageOf<T>> {
    rememberMessageContext(value, ctx, (value as { id?: string }).id);
    return { topic: topic.slice(prefix.length), partition, offset: message.offset, key: message.key?.toString('utf8') ?? null, event: value as MessageOf<T>, context: ctx };
  }

  /** The consumer span of one message (libs/kafka/src/tracing.ts). */
  const consumerSpan = (topic: string, partition: number, message: KafkaMessage) =>
    startConsumerSpan(topic, partition, message.offset, groupId, message.headers);

  /** Ends a message's span: dead-lettered (`reason`), not finished (`error`: it is redelivered), or done. */
  function endMessageSpan(span: Span, outcome: { deadLettered?: string; error?: unknown }): void {
    if (outcome.deadLettered !== undefined) endSpanWithError(span, `dead-lettered: ${outcome.deadLettered}`);
    else if (outcome.error !== undefined) endSpanWithError(span, `not finished (redelivered): ${describeError(outcome.error)}`, outcome.error);
    else span.end();
  }

  /**
   * Runs `work` under the retry policy: retryable errors are retried until they pass, errors that say they are
   * not retryable give up at once, others after `maxAttempts`. Giving up calls `giveUp` (dead-lettering).
   * Throwing instead leaves the offset unresolved, so the messages are redelivered.
   */
  async function withRetries(
    topic: string,
    partition: number,
    firstOffset: string,
    work: () => Promise<void>,
    giveUp: (reason: string) => Promise<void>,
    heartbeat: () => Promise<void>,
    /** Concurrent mode: the partition's generation; once it ends, a failure is left to the next one. */
    until?: AbortSignal,
  ) {
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        // Concurrent mode keeps thousands of handlers running: a listener each on one signal would make every
        // removal a scan of all of them. Its stop bounds the wait for handlers itself.
        await (until ? work() : unlessAborted(work(), abandon.signal));
        metrics?.handled.inc({ topic, group: groupId, outcome: 'ok' });
        metrics?.handleSeconds.observe({ topic, group: groupId }, (performance.now() - started) / 1000);
        return;
      } catch (error) {
        // `stop` gave up waiting for this handler: leave without resolving the offset, so it is redelivered.
        if (abandon.signal.aborted || isPartitionLost(error) || until?.aborted) throw error;
        const flag = retryFlag(error) ?? options.classifyError?.(error);
        metrics?.handled.inc({ topic, group: groupId, outcome: 'error' });
        if (flag === false || (flag === undefined && attempt >= maxAttempts)) {
          return giveUp(`handler failed after ${attempt} attempt(s): ${describeError(error)}`);
        }
        if (stopping) throw error;
        const delay = Math.min(30_000, 100 * 2 ** Math.min(attempt, 9)) * (0.5 + Math.random() / 2);
        logger.warn({ topic, partition, offset: firstOffset, attempt, delayMs: Math.round(delay), err: describeError(error) }, 'handler failed; retrying');
        await sleep(delay, until ?? stopRequested.signal);
        if (stopping || until?.aborted) throw error;
        await heartbeat();
      }
    }
  }

  async function processMessage(topic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>) {
    const { span, ctx } = consumerSpan(topic, partition, message);
    const outcome: { deadLettered?: string; error?: unknown } = {};
    const giveUp = (reason: string) => {
      outcome.deadLettered = reason;
      return deadLetter(topic, partition, message, reason);
    };
    try {
      const parsed = parse(topic, message);
      if (!parsed.ok) return await giveUp(parsed.reason);
      const event = toEvent(topic, partition, message, parsed.value, ctx);
      await context.with(ctx, () => withRetries(topic, partition, message.offset, () => handle!(event), giveUp, heartbeat));
    } catch (error) {
      outcome.error = error;
      throw error;
    } finally {
      endMessageSpan(span, outcome);
    }
  }

  async function processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const size = options.maxBatchSize ?? 500;
    for (let i = 0; i < batch.messages.length; i += size) {
      if (!isRunning() || isStale() || stopping) return;
      const chunk = batch.messages.slice(i, i + size);
      const valid: { message: KafkaMessage; event: ConsumedEvent<MessageOf<T>>; span: Span; outcome: { deadLettered?: string; error?: unknown } }[] = [];
      // Each message has its own consumer span (a child of its producer's), open until the chunk is done.
      const spans: { span: Span; outcome: { deadLettered?: string; error?: unknown } }[] = [];
      try {
        for (const message of chunk) {
          const { span, ctx } = consumerSpan(batch.topic, batch.partition, message);
          const outcome: { deadLettered?: string; error?: unknown } = {};
          spans.push({ span, outcome });
          const parsed = parse(batch.topic, message);
          if (parsed.ok) valid.push({ message, event: toEvent(batch.topic, batch.partition, message, parsed.value, ctx), span, outcome });
          else {
            outcome.deadLettered = parsed.reason;
            await deadLetter(batch.topic, batch.partition, message, parsed.reason);
          }
        }
        if (valid.length > 0) {
          // One message: the batch handler runs in its span. Several: in a span of the batch linked to theirs.
          const batchSpan = valid.length === 1 ? undefined : startBatchSpan(batch.topic, groupId, valid.map((v) => v.event.context));
          const batchCtx = batchSpan?.ctx ?? valid[0]!.event.context;
          try {
            await context.with(batchCtx, () =>
              withRetries(
                batch.topic,
                batch.partition,
                chunk[0]!.offset,
                () => handleBatch!(valid.map((v) => v.event), { heartbeat, signal: stopRequested.signal }),
                async (reason) => {
                  if (handle) {
                    logger.warn({ topic: batch.topic, partition: batch.partition, offset: chunk[0]!.offset, reason }, 'batch failed; handling its messages one by one');
                    for (const v of valid) {
                      await context.with(v.event.context, () =>
                        withRetries(
                          batch.topic,
                          batch.partition,
                          v.message.offset,
                          () => handle(v.event),
                          (why) => {
                            v.outcome.deadLettered = why;
                            return deadLetter(batch.topic, batch.partition, v.message, why);
                          },
                          heartbeat,
                        ),
                      );
                    }
                  } else {
                    for (const v of valid) {
                      v.outcome.deadLettered = reason;
                      await deadLetter(batch.topic, batch.partition, v.message, reason);
                    }
                  }
                },
                heartbeat,
              ),
            );
            batchSpan?.span.end();
          } catch (error) {
            if (batchSpan) endSpanWithError(batchSpan.span, `not finished (redelivered): ${describeError(error)}`, error);
            throw error;
          }
        }
      } catch (error) {
        for (const s of spans) if (s.outcome.deadLettered === undefined) s.outcome.error = error;
        throw error;
      } finally {
        for (const s of spans) endMessageSpan(s.span, s.outcome);
      }
      resolveOffset(chunk[chunk.length - 1]!.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }

  // Concurrent mode: the current group generation, and the handlers still running (of any generation).
  let generation: Generation | undefined;
  let generationReady: Promise<void> = Promise.resolve();
  const handlers = new Set<Promise<void>>();
  let commitTimer: NodeJS.Timeout | undefined;

  const byTopic = (tps: readonly TopicPartition[]) => {
    const topicsOf = new Map<string, number[]>();
    for (const tp of tps) topicsOf.set(tp.topic, [...(topicsOf.get(tp.topic) ?? []), tp.partition]);
    return [...topicsOf].map(([topic, partitions]) => ({ topic, partitions }));
  };

  /** A new assignment: everything of the previous generation ends; its back-pressure pauses are lifted. */
  function startGeneration(memberAssignment: Record<string, number[]>): void {
    const previous = generation;
    previous?.end();
    const assignment = Object.entries(memberAssignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
    const next = new Generation(assignment, { maxBuffered: options.maxBuffered ?? 20_000, parentSignal: stopRequested.signal });
    generation = next;
    const paused = consumer?.paused() ?? [];
    if (paused.length > 0) consumer?.resume(paused.map(({ topic, partitions }) => ({ topic, partitions })));
    const contexts = assignment.map((tp) => next.context(tp.topic, tp.partition));
    generationReady = (async () => {
      for (let attempt = 1; options.onAssigned && !next.signal.aborted; attempt++) {
        try {
          await options.onAssigned(contexts);
          return;
        } catch (error) {
          logger.warn({ groupId, attempt, err: describeError(error) }, 'taking the assigned partitions failed; retrying');
          await sleep(Math.min(5000, 100 * 2 ** attempt), next.signal);
        }
      }
    })();
  }

  async function commitDue(gen: Generation | undefined): Promise<void> {
    if (!gen || gen !== generation || !consumer) return;
    const due = gen.commitsDue();
    if (due.length === 0) return;
    try {
      await consumer.commitOffsets(due);
      gen.committed(due);
    } catch (error) {
      // A rebalance is under way: the next generation starts from what was committed before.
      logger.debug({ groupId, err: describeError(error) }, 'offset commit failed');
    }
  }

  function resumeIfDue(gen: Generation): void {
    const resumed = gen.toResume();
    if (resumed.length > 0 && gen === generation) consumer?.resume(byTopic(resumed));
  }

  function startHandling(gen: Generation, topic: string, partition: number, message: KafkaMessage, event: ConsumedEvent<MessageOf<T>>, span: Span): void {
    const partitionContext = gen.context(topic, partition);
    const outcome: { deadLettered?: string; error?: unknown } = {};
    const done = context.with(event.context, () =>
      withRetries(
        topic,
        partition,
        message.offset,
        () => handleConcurrently!(event, partitionContext),
        (reason) => {
          outcome.deadLettered = reason;
          return deadLetter(topic, partition, message, reason);
        },
        async () => undefined,
        partitionContext.signal,
      ),
    ).then(
      () => {
        endMessageSpan(span, outcome);
        gen.finish(topic, partition, Number(message.offset));
        resumeIfDue(gen);
      },
      (error: unknown) => {
        endMessageSpan(span, { error });
        if (isPartitionLost(error) && !gen.isLost(topic, partition)) {
          logger.warn({ topic, partition, err: describeError(error) }, 'partition taken over by another replica; leaving it until the group rebalances');
          gen.lose(topic, partition);
          if (gen === generation) consumer?.pause([{ topic, partitions: [partition] }]);
        }
        // Otherwise the generation ended or the consumer stops: the message stays unfinished, uncommitted.
      },
    );
    handlers.add(done);
    void done.finally(() => handlers.delete(done));
  }

  async function processConcurrently(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const gen = generation;
    if (!gen || gen.signal.aborted) return;
    // The assignment's partitions are taken (onAssigned) before any message of them is handed over.
    let ready = false;
    void generationReady.then(() => (ready = true));
    while (!ready && !gen.signal.aborted) {
      await Promise.race([generationReady, sleep(1000, gen.signal)]);
      if (!ready) await heartbeat();
    }
    if (gen !== generation || gen.signal.aborted) return;
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) return;
      if (gen.accept(batch.topic, batch.partition, Number(message.offset))) {
        const { span, ctx } = consumerSpan(batch.topic, batch.partition, message);
        const parsed = parse(batch.topic, message);
        if (parsed.ok) startHandling(gen, batch.topic, batch.partition, message, toEvent(batch.topic, batch.partition, message, parsed.value, ctx), span);
        else {
          endMessageSpan(span, { deadLettered: parsed.reason });
          await deadLetter(batch.topic, batch.partition, message, parsed.reason);
          gen.finish(batch.topic, batch.partition, Number(message.offset));
        }
      }
      // Moves kafkajs's fetch position only: with autoCommit off, what is committed is the generation's commit point.
      resolveOffset(message.offset);
    }
    for (let tp = gen.toPause(); tp; tp = gen.toPause()) consumer?.pause([{ topic: tp.topic, partitions: [tp.partition] }]);
    await heartbeat();
  }

  return {
    async start() {
      stopping = false;
      stopRequested = new AbortController();
      abandon = new AbortController();
      consumer = kafka.consumer({
        groupId,
        allowAutoTopicCreation: false,
        sessionTimeout: options.sessionTimeoutMs ?? 6_000,
        heartbeatInterval: options.heartbeatIntervalMs ?? 1_000,
        // Short fetch waits let stop() return quickly; a fetch still returns as soon as data arrives.
        maxWaitTimeInMs: 1000,
        retry: {
          retries: 10,
          restartOnFailure: async (error) => {
            logger.error({ err: describeError(error) }, 'consumer crashed; restarting');
            return true;
          },
        },
      });
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        running = true;
        if (handleConcurrently) startGeneration(payload.memberAssignment);
      });
      if (handleConcurrently) {
        // No new work starts while the group rebalances: another replica may be handed these partitions.
        consumer.on(consumer.events.REBALANCING, () => {
          generation?.end();
          generation = undefined;
        });
        commitTimer = setInterval(() => void commitDue(generation), options.commitIntervalMs ?? 1000);
      }
      consumer.on(consumer.events.STOP, () => {
        running = false;
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        running = false;
        if (!payload.restart && !stopping) {
          logger.fatal({ err: describeError(payload.error) }, 'consumer crashed and will not restart');
          options.onFatal(payload.error);
        }
      });
      await consumer.connect();
      await consumer.subscribe({ topics: topics.map((t) => prefix + t.name), fromBeginning: true });
      await consumer.run({
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        ...(handleConcurrently
          ? { autoCommit: false, eachBatchAutoResolve: false, eachBatch: processConcurrently }
          : handleBatch
            ? { eachBatchAutoResolve: false, eachBatch: processBatch }
            : { eachMessage: ({ topic, partition, message, heartbeat }) => processMessage(topic, partition, message, heartbeat) }),
      });
    },
    async stop() {
      stopping = true;
      running = false;
      stopRequested.abort();
      // kafkajs leaves the group only after the in-flight handlers return; bound that wait.
      const grace = setTimeout(() => {
        logger.warn({ groupId, graceMs: stopGraceMs }, 'consumer still stopping after the grace period; abandoning in-flight handlers, their messages will be redelivered');
        abandon.abort(new Error(`consumer stopped; handler abandoned after ${stopGraceMs} ms`));
      }, stopGraceMs);
      try {
        if (handleConcurrently) {
          // Work not started was given up (the generation's signal); what is on its way finishes, then the
          // offsets up to it are committed before the group is left.
          clearInterval(commitTimer);
          await Promise.race([Promise.allSettled([...handlers]), sleep(stopGraceMs, abandon.signal)]);
          await commitDue(generation);
        }
        await consumer?.disconnect();
      } finally {
        clearTimeout(grace);
      }
    },
    isRunning: () => running,
  };
}
