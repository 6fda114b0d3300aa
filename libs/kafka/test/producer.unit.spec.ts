import type { Kafka, ProducerBatch } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createEventProducer, LINGER_MIN_RECORDS, PublishTimeoutError, type ProducerOptions, type RawRecord } from '../src/index.js';

// The batching of createEventProducer against a stand-in for kafkajs: which records go out in which request.
// Against the real broker: consumer.int.spec.ts and the gateway's tests.

interface FakeRequest {
  values: string[];
  ack: () => void;
  fail: (e: Error) => void;
}

function fakeKafka() {
  const requests: FakeRequest[] = [];
  let disconnected = false;
  const producer = {
    connect: async () => {},
    disconnect: async () => { disconnected = true; },
    sendBatch: (batch: ProducerBatch) =>
      new Promise<void>((resolve, reject) => {
        const values = (batch.topicMessages ?? []).flatMap((t) => t.messages.map((m) => String(m.value)));
        requests.push({ values, ack: resolve, fail: reject });
      }),
  };
  return { kafka: { producer: () => producer } as unknown as Kafka, requests, disconnected: () => disconnected };
}

const record = (value: string, key = 'k'): RawRecord => ({ topic: 't', key, value });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const settled = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => e);

function setup(options: ProducerOptions = {}) {
  const fake = fakeKafka();
  return { ...fake, producer: createEventProducer(fake.kafka, { publishTimeoutMs: 1000, ...options }) };
}

describe('createEventProducer batching', () => {
  it('sends what is published in the same turn of the event loop as one request (lingerMs 0)', async () => {
    const { producer, requests } = setup();
    const published = [producer.publishRaw([record('a')]), producer.publishRaw([record('b'), record('c')])];
    expect(requests).toHaveLength(0);
    await sleep(0);
    expect(requests.map((r) => r.values)).toEqual([['a', 'b', 'c']]);
    requests[0]!.ack();
    await Promise.all(published);
  });

  it('waits up to lingerMs for more publishes, then sends them in order in one request', async () => {
    const { producer, requests } = setup({ lingerMs: 20 });
    const first = producer.publishRaw([record('a')]);
    await sleep(5);
    const second = producer.publishRaw([record('b')]);
    expect(requests).toHaveLength(0);
    await sleep(40);
    expect(requests.map((r) => r.values)).toEqual([['a', 'b']]);
    requests[0]!.ack();
    await Promise.all([first, second]);
  });

  it(`ends the linger at once when as many records are queued as the last request carried, at least ${LINGER_MIN_RECORDS}`, async () => {
    const { producer, requests } = setup({ lingerMs: 10_000 });
    const values = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${i}`);
    const publishEach = (vs: string[]) => Promise.all(vs.map((v) => producer.publishRaw([record(v)])));
    // The first request: LINGER_MIN_RECORDS records end the linger.
    let published = publishEach(values(LINGER_MIN_RECORDS, 'a'));
    expect(requests.map((r) => r.values)).toEqual([values(LINGER_MIN_RECORDS, 'a')]);
    requests[0]!.ack();
    await published;
    // A larger one (here one publish of 10; or what gathered while a request was in flight) sets how many end
    // the next linger.
    const ten = producer.publishRaw(values(10, 'b').map((v) => record(v)));
    expect(requests.map((r) => r.values.length)).toEqual([LINGER_MIN_RECORDS, 10]);
    requests[1]!.ack();
    await ten;
    published = publishEach(values(9, 'c'));
    expect(requests).toHaveLength(2); // 9 < 10: still lingering
    const tenth = producer.publishRaw([record('c9')]);
    expect(requests[2]!.values).toEqual(values(10, 'c'));
    requests[2]!.ack();
    await Promise.all([published, tenth]);
  });

  it('gathers what is published during a request into the next one, sent as soon as the first returns', async () => {
    const { producer, requests } = setup({ lingerMs: 10_000 });
    const first = producer.publishRaw(Array.from({ length: LINGER_MIN_RECORDS }, (_, i) => record(`a${i}`)));
    expect(requests).toHaveLength(1);
    const second = producer.publishRaw([record('b')]);
    const third = producer.publishRaw([record('c')]);
    requests[0]!.ack();
    await first;
    await sleep(0);
    expect(requests.map((r) => r.values.length)).toEqual([LINGER_MIN_RECORDS, 2]);
    expect(requests[1]!.values).toEqual(['b', 'c']);
    requests[1]!.ack();
    await Promise.all([second, third]);
  });

  it('rejects every publish of a failed request with its error, and goes on with the next', async () => {
    const { producer, requests } = setup();
    const a = producer.publishRaw([record('a')]);
    const b = producer.publishRaw([record('b')]);
    await sleep(0);
    const c = producer.publishRaw([record('c')]);
    const error = new Error('broker says no');
    requests[0]!.fail(error);
    expect(await settled(a)).toBe(error);
    expect(await settled(b)).toBe(error);
    await sleep(0);
    expect(requests[1]!.values).toEqual(['c']);
    requests[1]!.ack();
    expect(await settled(c)).toBe('resolved');
  });

  it('rejects with PublishTimeoutError when the write is not acknowledged in time', async () => {
    const { producer } = setup({ publishTimeoutMs: 100, lingerMs: 5 });
    expect(await settled(producer.publishRaw([record('a')]))).toBeInstanceOf(PublishTimeoutError);
  });

  it('sends what is still lingering before it disconnects', async () => {
    const { producer, requests, disconnected } = setup({ lingerMs: 10_000 });
    const published = producer.publishRaw([record('a')]);
    const disconnecting = producer.disconnect();
    expect(requests.map((r) => r.values)).toEqual([['a']]);
    expect(disconnected()).toBe(false);
    requests[0]!.ack();
    await Promise.all([published, disconnecting]);
    expect(disconnected()).toBe(true);
  });
});
