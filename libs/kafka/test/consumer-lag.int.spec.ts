import { Topics } from '@sms-survey/contracts';
import { createTestTopics, eventually, freePort, silentLogger, uniqueName } from '@sms-survey/testing';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createConsumerLagMetrics, createKafka } from '../src/index.js';

// Against the real broker (KAFKA_BROKERS, default 127.0.0.1:9092): topics under a fresh prefix, fresh group ids.

vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

/** Every sample of `name` in a Prometheus text scrape, by its labels as written (`group="…",topic="…",…`). */
function samples(text: string, name: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const m of text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))) found.set(m[1]!, Number(m[2]));
  return found;
}

describe('createConsumerLagMetrics (real broker)', () => {
  it('reports exact lag per partition: committed, partly committed and never-committed groups', async () => {
    const topics = await createTestTopics();
    cleanups.push(() => topics.delete());
    const logger = silentLogger();
    const kafka = createKafka({ brokers: topics.brokers, clientId: uniqueName('lag-int-') }, logger);
    const topic = topics.prefix + Topics.inboundSms.name; // 2 partitions
    const producer = kafka.producer();
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const send = (partition: number, n: number) =>
      producer.send({ topic, messages: Array.from({ length: n }, (_, i) => ({ partition, key: `k${i}`, value: `m${i}` })) });
    await eventually(async () => (await send(0, 5), true), { what: 'the first produce to a fresh topic', timeoutMs: 20_000 });
    await send(1, 3);

    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    const partly = topics.prefix + uniqueName('partly-');
    const caughtUp = topics.prefix + uniqueName('caught-up-');
    const fresh = topics.prefix + uniqueName('fresh-');
    // setOffsets joins each group for a moment (the broker's initial rebalance delay): both at once.
    await Promise.all([
      admin.setOffsets({ groupId: partly, topic, partitions: [{ partition: 0, offset: '2' }] }),
      admin.setOffsets({ groupId: caughtUp, topic, partitions: [{ partition: 0, offset: '5' }, { partition: 1, offset: '1' }] }),
    ]);
   

    const registry = new Registry();
    const lag = createConsumerLagMetrics(kafka, registry, {
      groups: [partly, caughtUp, fresh].map((groupId) => ({ groupId, topics: [topic] })),
      cacheMs: 0,
      logger,
    });
    cleanups.push(() => lag.stop());

    const text = await eventually(
      async () => {
        const t = await registry.metrics();
        return [...samples(t, 'kafka_consumer_group_lag_read_ok').values()].every((v) => v === 1) && t;
      },
      { what: 'a lag read of every group', timeoutMs: 20_000, intervalMs: 250 },
    );
   
    const at = (group: string, partition: number) => `group="${group}",topic="${topic}",partition="${partition}"`;
    expect(samples(text, 'kafka_consumer_group_lag')).toEqual(
      new Map([
        [at(partly, 0), 3],
        [at(partly, 1), 3], // nothing committed: the whole partition
        [at(caughtUp, 0), 0],
        [at(caughtUp, 1), 2],
        [at(fresh, 0), 5],
        [at(fresh, 1), 3],
      ]),
    );
    expect(samples(text, 'kafka_consumer_group_committed_offset')).toEqual(
      new Map([
        [at(partly, 0), 2],
        [at(caughtUp, 0), 5],
        [at(caughtUp, 1), 1],
      ]),
    );
    expect(samples(text, 'kafka_topic_high_watermark')).toEqual(
      new Map([
        [`topic="${topic}",partition="0"`, 5],
        [`topic="${topic}",partition="1"`, 3],
      ]),
    );

    // New messages show at the next read (no cache here).
    await send(1, 4);
    const next = samples(await registry.metrics(), 'kafka_consumer_group_lag');
    expect([next.get(at(partly, 1)), next.get(at(caughtUp, 1)), next.get(at(fresh, 1))]).toEqual([7, 6, 7]);
  });

  it('answers /metrics within its timeout when no broker listens, without lag series', async () => {
    const logger = silentLogger();
    const kafka = createKafka({ brokers: [`127.0.0.1:${await freePort()}`], clientId: uniqueName('lag-int-') }, logger);
    const registry = new Registry();
    const lag = createConsumerLagMetrics(kafka, registry, { groups: [{ groupId: 'g', topics: ['t'] }], timeoutMs: 500 });
    cleanups.push(() => lag.stop());
    const started = performance.now();
    const text = await registry.metrics();
    expect(performance.now() - started).toBeLessThan(1500);
    expect(samples(text, 'kafka_consumer_group_lag').size).toBe(0);
    expect(samples(text, 'kafka_consumer_group_lag_read_ok')).toEqual(new Map([['group="g"', 0]]));
  });
});
