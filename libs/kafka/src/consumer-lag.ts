import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { describeError } from './errors.js';

export interface ConsumerLagGroup {
  /** The group id as the broker knows it: KAFKA_TOPIC_PREFIX + the configured id (see consumer.ts). */
  groupId: string;
  /** Full topic names, prefix included. */
  topics: readonly string[];
}

export interface ConsumerLagOptions {
  groups: readonly ConsumerLagGroup[];
  /** A read (successful or not) is reused for this long, so a scrape storm costs one admin round trip. */
  cacheMs?: number;
  /** How long a scrape waits for a read; then it answers without the lag series (the read carries on). */
  timeoutMs?: number;
  /** Told when reading starts failing and when it works again (not on every scrape). */
  logger?: Logger;
}

export interface ConsumerLagMetrics {
  /** Closes the admin client; later scrapes show none of these series. */
  stop(): Promise<void>;
}

interface PartitionLag {
  topic: string;
  partition: number;
  /** null: the group has committed nothing on this partition. */
  committed: number | null;
  high: number;
  lag: number;
}

interface GroupLag {
  groupId: string;
  /** Absent when this group's offsets or one of its topics' watermarks could not be read. */
  partitions?: PartitionLag[];
}

interface Snapshot {
  groups: GroupLag[];
  watermarks: Map<string, { partition: number; high: number }[]>;
}

const LABELS = ['group', 'topic', 'partition'] as const;

/**
 * Prometheus gauges for the lag of consumer groups, per topic and partition, read from the broker through one
 * admin client (connected on the first scrape) when `/metrics` is scraped:
 *
 * - `kafka_consumer_group_lag{group,topic,partition}`: messages the group has not consumed yet, the partition's
 *   high watermark minus the group's committed offset; a partition where the group has committed nothing (a new
 *   group starts from the beginning) counts from its low watermark, and so does a committed offset that
 *   retention has already passed.
 * - `kafka_consumer_group_committed_offset{group,topic,partition}`: the committed offset (next to consume);
 *   absent where nothing is committed.
 * - `kafka_topic_high_watermark{topic,partition}`: the offset the next produced message gets.
 * - `kafka_consumer_group_lag_read_ok{group}`: 1 when the series above come from a read of the last `cacheMs`,
 *   0 when that read failed or did not answer within `timeoutMs`.
 *
 * When a read fails or times out, the group's series are dropped (not kept at their last values): a stale lag
 * would tell an autoscaler or an alert that all is well while nobody can see. `read_ok` then shows why they are
 * missing. Each replica of a service reports the whole group (every partition, not only its own), so aggregate
 * across replicas with `max by (group, topic, partition)`, not `sum`.
 */
export function createConsumerLagMetrics(kafka: Kafka, registry: Registry, options: ConsumerLagOptions): ConsumerLagMetrics {
  const cacheMs = options.cacheMs ?? 5000;
  const timeoutMs = options.timeoutMs ?? 2000;
  const { logger } = options;
  // One entry per group, its topics merged (two consumers of one group would split its partitions anyway).
  const groups = new Map<string, Set<string>>();
  for (const g of options.groups) {
    const topics = groups.get(g.groupId) ?? new Set<string>();
    for (const t of g.topics) topics.add(t);
    groups.set(g.groupId, topics);
  }
  const allTopics = [...new Set([...groups.values()].flatMap((t) => [...t]))];

  let admin: Admin | undefined;
  let connected: Promise<void> | undefined;
  let stopped = false;
  let last: { at: number; snapshot: Snapshot } | undefined;
  let inFlight: Promise<Snapshot> | undefined;
  let failing = false;

  const failed = (): Snapshot => ({ groups: [...groups.keys()].map((groupId) => ({ groupId })), watermarks: new Map() });
  const nothing = (): Snapshot => ({ groups: [], watermarks: new Map() });

  /** After a failure the next read starts with a fresh client: a broken connection is not reused. */
  async function closeAdmin(): Promise<void> {
    const a = admin;
    admin = undefined;
    connected = undefined;
    await a?.disconnect().catch(() => undefined);
  }

  async function read(): Promise<Snapshot> {
    // Few retries: a scrape gives up after `timeoutMs` anyway, and the next one (after `cacheMs`) tries again.
    const client = (admin ??= kafka.admin({ retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 } }));
    connected ??= client.connect();
    await connected;
    const watermarks = new Map<string, { partition: number; high: number; low: number }[]>();
    const topicErrors = new Map<string, unknown>();
    const committed = new Map<string, Map<string, Map<number, number>> | { error: unknown }>();
    await Promise.all([
      ...allTopics.map(async (topic) => {
        try {
          const offsets = await client.fetchTopicOffsets(topic);
          watermarks.set(topic, offsets.map((o) => ({ partition: o.partition, high: Number(o.high), low: Number(o.low) })));
        } catch (error) {
          topicErrors.set(topic, error);
        }
      }),
      ...[...groups].map(async ([groupId, topics]) => {
        try {
          const offsets = await client.fetchOffsets({ groupId, topics: [...topics] });
          committed.set(groupId, new Map(offsets.map((t) => [t.topic, new Map(t.partitions.map((p) => [p.partition, Number(p.offset)]))])));
        } catch (error) {
          committed.set(groupId, { error });
        }
      }),
    ]);
    const result: GroupLag[] = [];
    const errors: string[] = [];
    for (const [groupId, topics] of groups) {
      const offsets = committed.get(groupId);
      if (!offsets || 'error' in offsets) {
        errors.push(`${groupId}: ${describeError(offsets?.error)}`);
        result.push({ groupId });
        continue;
      }
      const missing = [...topics].filter((t) => !watermarks.has(t));
      if (missing.length > 0) {
        errors.push(...missing.map((t) => `${t}: ${describeError(topicErrors.get(t))}`));
        result.push({ groupId });
        continue;
      }
      const partitions: PartitionLag[] = [];
      for (const topic of topics) {
        for (const { partition, high, low } of watermarks.get(topic)!) {
          const offset = offsets.get(topic)?.get(partition);
          const c = offset === undefined || offset < 0 ? null : offset;
          partitions.push({ topic, partition, committed: c, high, lag: Math.max(0, high - Math.max(c ?? low, low)) });
        }
      }
      result.push({ groupId, partitions });
    }
    if (errors.length > 0 && !failing) logger?.warn({ errors }, 'consumer lag not readable; its metrics are left out until it is');
    if (errors.length === 0 && failing) logger?.info('consumer lag readable again');
    failing = errors.length > 0;
    if (failing) await closeAdmin();
    return { groups: result, watermarks: new Map([...watermarks].map(([t, ps]) => [t, ps.map(({ partition, high }) => ({ partition, high }))])) };
  }

  /** The cached read, or a new one shared by every scrape meanwhile; a failed read counts as a read too. */
  function current(): Promise<Snapshot> {
    if (stopped) return Promise.resolve(nothing());
    if (last && Date.now() - last.at < cacheMs) return Promise.resolve(last.snapshot);
    inFlight ??= read()
      .catch(async (error: unknown) => {
        if (!failing) logger?.warn({ err: describeError(error) }, 'consumer lag not readable; its metrics are left out until it is');
        failing = true;
        await closeAdmin();
        return stopped ? nothing() : failed();
      })
      .then((snapshot) => {
        if (!stopped) last = { at: Date.now(), snapshot };
        inFlight = undefined;
        return snapshot;
      });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Snapshot>((resolve) => {
      timer = setTimeout(() => resolve(failed()), timeoutMs);
      timer.unref();
    });
    return Promise.race([inFlight, timeout]).finally(() => clearTimeout(timer));
  }

  new Gauge({
    name: 'kafka_consumer_group_lag',
    help: 'Messages a consumer group has not consumed yet: high watermark minus committed offset (from the low watermark where nothing is committed)',
    labelNames: LABELS,
    registers: [registry],
    async collect() {
      const { groups: read } = await current();
      this.reset();
      for (const g of read) for (const p of g.partitions ?? []) this.set({ group: g.groupId, topic: p.topic, partition: String(p.partition) }, p.lag);
    },
  });
  new Gauge({
    name: 'kafka_consumer_group_committed_offset',
    help: "A consumer group's committed offset (the next message it consumes); absent where it has committed nothing",
    labelNames: LABELS,
    registers: [registry],
    async collect() {
      const { groups: read } = await current();
      this.reset();
      for (const g of read) {
        for (const p of g.partitions ?? []) {
          if (p.committed !== null) this.set({ group: g.groupId, topic: p.topic, partition: String(p.partition) }, p.committed);
        }
      }
    },
  });
  new Gauge({
    name: 'kafka_topic_high_watermark',
    help: 'Offset the next message produced to the partition gets (of the topics this service consumes)',
    labelNames: ['topic', 'partition'] as const,
    registers: [registry],
    async collect() {
      const { watermarks } = await current();
      this.reset();
      for (const [topic, partitions] of watermarks) for (const p of partitions) this.set({ topic, partition: String(p.partition) }, p.high);
    },
  });
  new Gauge({
    name: 'kafka_consumer_group_lag_read_ok',
    help: "1 when the consumer group's lag was read from the broker, 0 when that failed or timed out (its lag series are then left out)",
    labelNames: ['group'] as const,
    registers: [registry],
    async collect() {
      const { groups: read } = await current();
      this.reset();
      for (const g of read) this.set({ group: g.groupId }, g.partitions ? 1 : 0);
    },
  });

  return {
    async stop() {
      stopped = true;
      last = undefined;
      await closeAdmin();
    },
  };
}
