import type { Admin, Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createConsumerLagMetrics } from '../src/index.js';

// The admin client is faked here to make the broker slow or failing on demand; consumer-lag.int.spec.ts reads
// real offsets from the real broker.

interface FakeBroker {
  kafka: Kafka;
  calls: { connect: number; disconnect: number; fetchTopicOffsets: number; fetchOffsets: number };
  /** Offsets answered from now on; `hang` never answers, `fail` rejects. */
  state: 'ok' | 'hang' | 'fail';
  high: number;
}

function fakeBroker(): FakeBroker {
  const broker: FakeBroker = {
    calls: { connect: 0, disconnect: 0, fetchTopicOffsets: 0, fetchOffsets: 0 },
    state: 'ok',
    high: 10,
    kafka: undefined as unknown as Kafka,
  };
  const answer = <T>(value: () => T): Promise<T> =>
    broker.state === 'hang' ? new Promise<T>(() => {}) : broker.state === 'fail' ? Promise.reject(new Error('broker down')) : Promise.resolve(value());
  const admin = {
    connect: async () => void broker.calls.connect++,
    disconnect: async () => void broker.calls.disconnect++,
    fetchTopicOffsets: (topic: string) => {
      broker.calls.fetchTopicOffsets++;
      return answer(() => [0, 1].map((partition) => ({ partition, offset: String(broker.high), high: String(broker.high), low: topic.endsWith('trimmed') ? '4' : '0' })));
    },
    fetchOffsets: ({ topics }: { groupId: string; topics: string[] }) => {
      broker.calls.fetchOffsets++;
      return answer(() => topics.map((topic) => ({ topic, partitions: [{ partition: 0, offset: '3', metadata: null }, { partition: 1, offset: '-1', metadata: null }] })));
    },
  };
  broker.kafka = { admin: () => admin as unknown as Admin } as unknown as Kafka;
  return broker;
}

const line = (text: string, name: string, labels: string) => text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));

describe('createConsumerLagMetrics (fake admin)', () => {
  it('reads once per cache window however many scrapes ask, and not before the first scrape', async () => {
    const broker = fakeBroker();
    const registry = new Registry();
    const lag = createConsumerLagMetrics(broker.kafka, registry, { groups: [{ groupId: 'g', topics: ['t'] }], cacheMs: 200 });
    expect(broker.calls.connect).toBe(0);

    const scrapes = await Promise.all([registry.metrics(), registry.metrics(), registry.metrics()]);
    expect(broker.calls).toMatchObject({ connect: 1, fetchTopicOffsets: 1, fetchOffsets: 1 });
    for (const text of scrapes) {
      expect(line(text, 'kafka_consumer_group_lag', 'group="g",topic="t",partition="0"')).toMatch(/ 7$/);
      expect(line(text, 'kafka_consumer_group_lag', 'group="g",topic="t",partition="1"')).toMatch(/ 10$/);
    }
    broker.high = 20;
    expect(line(await registry.metrics(), 'kafka_consumer_group_lag', 'group="g",topic="t",partition="0"')).toMatch(/ 7$/);
    await new Promise((r) => setTimeout(r, 250));
    expect(line(await registry.metrics(), 'kafka_consumer_group_lag', 'group="g",topic="t",partition="0"')).toMatch(/ 17$/);
    expect(broker.calls.fetchOffsets).toBe(2);
    expect(broker.calls.connect).toBe(1);

    await lag.stop();
    expect(broker.calls.disconnect).toBe(1);
    const after = await registry.metrics();
    expect(after).not.toMatch(/^kafka_consumer_group_lag/m);
    expect(after).not.toMatch(/^kafka_consumer_group_lag_read_ok/m);
  });

  it('counts an uncommitted partition from the low watermark', async () => {
    const broker = fakeBroker();
    const registry = new Registry();
    createConsumerLagMetrics(broker.kafka, registry, { groups: [{ groupId: 'g', topics: ['trimmed'] }] });
    const text = await registry.metrics();
    // Committed 3 is below the low watermark 4: the consumer resumes at 4.
    expect(line(text, 'kafka_consumer_group_lag', 'group="g",topic="trimmed",partition="0"')).toMatch(/ 6$/);
    expect(line(text, 'kafka_consumer_group_lag', 'group="g",topic="trimmed",partition="1"')).toMatch(/ 6$/);
    expect(line(text, 'kafka_consumer_group_committed_offset', 'group="g",topic="trimmed",partition="0"')).toMatch(/ 3$/);
    expect(line(text, 'kafka_consumer_group_committed_offset', 'group="g",topic="trimmed",partition="1"')).toBeUndefined();
  });

  it('answers within the timeout when the broker hangs, dropping the lag series, and shares the hung read', async () => {
    const broker = fakeBroker();
    const registry = new Registry();
    createConsumerLagMetrics(broker.kafka, registry, { groups: [{ groupId: 'g', topics: ['t'] }], cacheMs: 50, timeoutMs: 150 });
    expect(line(await registry.metrics(), 'kafka_consumer_group_lag_read_ok', 'group="g"')).toMatch(/ 1$/);

    broker.state = 'hang';
    await new Promise((r) => setTimeout(r, 60));
    const started = performance.now();
    const [text] = await Promise.all([registry.metrics(), registry.metrics()]);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(text).not.toMatch(/^kafka_consumer_group_lag\{/m);
    expect(text).not.toMatch(/^kafka_topic_high_watermark\{/m);
    expect(line(text, 'kafka_consumer_group_lag_read_ok', 'group="g"')).toMatch(/ 0$/);
    await registry.metrics(); // still waiting for the same read: no second one piles up
    expect(broker.calls.fetchOffsets).toBe(2);
  });

  it('drops the series when the broker fails, and reconnects a fresh client once it answers again', async () => {
    const broker = fakeBroker();
    const registry = new Registry();
    createConsumerLagMetrics(broker.kafka, registry, { groups: [{ groupId: 'g', topics: ['t'] }], cacheMs: 0 });
    await registry.metrics();
    broker.state = 'fail';
    const text = await registry.metrics();
    expect(text).not.toMatch(/^kafka_consumer_group_lag\{/m);
    expect(line(text, 'kafka_consumer_group_lag_read_ok', 'group="g"')).toMatch(/ 0$/);
    broker.state = 'ok';
    const again = await registry.metrics();
    expect(broker.calls).toMatchObject({ connect: 2, disconnect: 1 });
    expect(line(again, 'kafka_consumer_group_lag', 'group="g",topic="t",partition="0"')).toMatch(/ 7$/);
    expect(line(again, 'kafka_consumer_group_lag_read_ok', 'group="g"')).toMatch(/ 1$/);
  });
});
