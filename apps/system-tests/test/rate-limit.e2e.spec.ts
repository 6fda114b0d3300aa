import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssignerProtocol, Kafka, Partitioners, logLevel } from 'kafkajs';
import { SmsSendRequested, Topics, createMessage } from '@sms-survey/contracts';
import { loadDispatcherConfig, startDispatcher } from '@sms-survey/sms-dispatcher';
import type { WorkerHandle } from '@sms-survey/service-kit';
import { eventually, silentLogger } from '@sms-survey/testing';
import { startSystem, startTopicReader, waitUntilReady, type RunningSystem } from '../src/index.js';
import { busiestSecond, produce, sendRequests } from './messaging-helpers.js';

// Per-sender rate limits with two dispatcher replicas in one consumer group. Both run with SENDER_RATES at
// 3 messages per second for the senders used here, to keep the test short; a backlog of one sender's commands
// goes straight onto sms.send.v1. Throughput under load is the benchmark's business: the utilisation check
// here is deliberately loose.

const RATE = 3;
const SENDER = '+14155550100'; // a US long code (default 1/s), configured to RATE
const PRIORITY_SENDER = '+14155550101';
const BACKLOG = 20;

const customer = (i: number) => `+1415666${String(i).padStart(4, '0')}`;

/** The partition of the 2-partition test topic a key lands on (the producer's default partitioner). */
const partitionOf = (key: string) =>
  Partitioners.DefaultPartitioner()({ topic: 't', partitionMetadata: [0, 1].map((partitionId) => ({ partitionId, leader: 1 })) as never, message: { key, value: null } });

describe('rate limits across two dispatcher replicas', () => {
  let system: RunningSystem;
  let second: WorkerHandle;
  let reader: Awaited<ReturnType<typeof startTopicReader>>;

  const command = (from: string, to: string, priority: 'reply' | 'new-survey', body: string) =>
    createMessage(SmsSendRequested, { type: 'sms.send.requested', schemaVersion: 1, payload: { commandId: randomUUID(), from, to, body, priority } });

  beforeAll(async () => {
    system = await startSystem({ SENDER_RATES: `${SENDER}=${RATE},${PRIORITY_SENDER}=${RATE}` });
    await waitUntilReady(system);
    // A second replica, configured exactly like the first, in the same group.
    second = await startDispatcher(loadDispatcherConfig(system.env), silentLogger().child({ service: 'sms-dispatcher-2' }), (e) => {
      throw e;
    });
    await eventually(async () => (await fetch(`${second.url}/readyz`).catch(() => undefined))?.ok, { what: 'second replica ready', timeoutMs: 40_000 });
    reader = await startTopicReader(system.env.KAFKA_BROKERS!.split(','), [system.topicPrefix + Topics.smsSendResult.name]);
  });

  afterAll(async () => {
    await reader?.stop();
    await second?.stop();
    await system?.stop();
  });

  it('both replicas are in the group, each owning a partition of sms.send.v1', async () => {
    const kafka = new Kafka({ clientId: 'rate-limit-e2e', brokers: system.env.KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const owned = await eventually(async () => {
        const { groups } = await admin.describeGroups([`${system.topicPrefix}sms-dispatcher`]);
        const members = groups[0]?.state === 'Stable' ? groups[0].members : [];
        const partitions = members.map((m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[system.topicPrefix + Topics.smsSend.name] ?? []);
        return partitions.length === 2 && partitions.every((p) => p.length === 1) ? partitions : undefined;
      }, { what: 'a stable group of two, one partition each', timeoutMs: 20_000 });
      expect(owned.flat().sort()).toEqual([0, 1]);
    } finally {
      await admin.disconnect();
    }
  });

  it(`a backlog of ${BACKLOG} for one sender: never more than ${RATE} in a second, each sent once, the rate used`, async () => {
    const commands = Array.from({ length: BACKLOG }, (_, i) => command(SENDER, customer(i), 'reply', `Backlog message ${i}`));
    await produce(system, Topics.smsSend.name, commands.map((c) => ({ key: SENDER, value: c })));

    await eventually(() => sendRequests(system, { from: SENDER }).length >= BACKLOG, { what: `${BACKLOG} sends`, timeoutMs: 30_000 });
    const requests = sendRequests(system, { from: SENDER });
    const times = requests.map((r) => r.time);
    const spanSeconds = (Math.max(...times) - Math.min(...times)) / 1000;

    // Exactly once each.
    expect(requests.map((r) => r.statusCode)).toEqual(Array(BACKLOG).fill(201));
    expect(new Set(requests.map((r) => r.params.To)).size).toBe(BACKLOG);
    const results = await eventually(() => {
      const ours = reader.messages(system.topicPrefix + Topics.smsSendResult.name).filter((m) => (m.value as { payload: { from: string } }).payload.from === SENDER);
      return ours.length >= BACKLOG ? ours : undefined;
    }, { what: 'a result per command' });
    expect(new Set(results.map((r) => (r.value as { payload: { commandId: string } }).payload.commandId))).toEqual(new Set(commands.map((c) => c.payload.commandId)));
    expect(results.every((r) => (r.value as { type: string }).type === 'sms.send.accepted')).toBe(true);

    // Never over the limit in any one-second window, as the simulator saw the requests arrive.
    expect(busiestSecond(times), `request times (ms from the first): ${times.map((t) => t - times[0]!).join(', ')}`).toBeLessThanOrEqual(RATE);
    // ... and the rate was used: ≥ 80 % of what the limit allows over the run (full use: BACKLOG / RATE − 1 s).
    const utilisation = BACKLOG / (RATE * (spanSeconds + 1));
    expect(utilisation, `span ${spanSeconds} s`).toBeGreaterThanOrEqual(0.8);
    // Nothing else was sent meanwhile, by either replica: a later command of the sender (same key, same
    // partition) is sent after anything still queued for it, so once it is out, a repeat would be too.
    const marker = command(SENDER, customer(BACKLOG), 'reply', 'After the backlog');
    await produce(system, Topics.smsSend.name, [{ key: SENDER, value: marker }]);
    await eventually(() => sendRequests(system, { to: customer(BACKLOG) }).length > 0, { what: 'the command after the backlog sent' });
    expect(sendRequests(system, { from: SENDER })).toHaveLength(BACKLOG + 1);
  });

  it("replies overtake the same sender's queued first questions of new surveys", async () => {
    const firstQuestions = Array.from({ length: 9 }, (_, i) => command(PRIORITY_SENDER, customer(100 + i), 'new-survey', `First question ${i}`));
    const replies = Array.from({ length: 3 }, (_, i) => command(PRIORITY_SENDER, customer(200 + i), 'reply', `Reply ${i}`));
    // One produce request: the whole backlog is in the partition (and the dispatcher's batch) at once.
    await produce(system, Topics.smsSend.name, [...firstQuestions, ...replies].map((c) => ({ key: PRIORITY_SENDER, value: c })));

    await eventually(() => sendRequests(system, { from: PRIORITY_SENDER }).length >= 12, { what: '12 sends', timeoutMs: 20_000 });
    const order = sendRequests(system, { from: PRIORITY_SENDER }).map((r) => String(r.params.Body));
    expect(order.slice(0, 3).sort()).toEqual(['Reply 0', 'Reply 1', 'Reply 2']);
    // The first questions keep their order among themselves.
    expect(order.slice(3)).toEqual(firstQuestions.map((c) => c.payload.body));
    expect(busiestSecond(sendRequests(system, { from: PRIORITY_SENDER }).map((r) => r.time))).toBeLessThanOrEqual(RATE);
  });

  it("a sender's backlog delays no other sender, on its own partition or the other", async () => {
    const HOT = '+14155550102'; // a long code at its default 1 per second
    const backlog = Array.from({ length: 8 }, (_, i) => command(HOT, customer(300 + i), 'new-survey', `Hot backlog ${i}`));
    await produce(system, Topics.smsSend.name, backlog.map((c) => ({ key: HOT, value: c })));
    await eventually(() => sendRequests(system, { from: HOT }).length >= 2, { what: 'the backlog under way', timeoutMs: 20_000 });

    // Other long codes, some on the hot sender's partition, some on the other one, each with one first question.
    const others = Array.from({ length: 40 }, (_, i) => `+1415555${String(2000 + i).padStart(4, '0')}`);
    const samePartition = others.filter((o) => partitionOf(o) === partitionOf(HOT)).slice(0, 3);
    const otherPartition = others.filter((o) => partitionOf(o) !== partitionOf(HOT)).slice(0, 3);
    expect(samePartition).toHaveLength(3);
    expect(otherPartition).toHaveLength(3);
    const producedAt = Date.now();
    await produce(system, Topics.smsSend.name, [...samePartition, ...otherPartition].map((from, i) => ({ key: from, value: command(from, customer(400 + i), 'new-survey', `First question from ${from}`) })));
    for (const from of [...samePartition, ...otherPartition]) {
      const [first] = await eventually(() => { const r = sendRequests(system, { from }); return r.length > 0 ? r : undefined; }, { what: `the first SMS from ${from}`, timeoutMs: 20_000 });
      expect(first!.time - producedAt, `first SMS from ${from} (partition ${partitionOf(from)})`).toBeLessThan(2000);
    }
    // Meanwhile the hot sender still had most of its backlog left, at its own rate.
    expect(sendRequests(system, { from: HOT }).length).toBeLessThan(backlog.length);
    await eventually(() => sendRequests(system, { from: HOT }).length >= backlog.length, { what: 'the whole backlog', timeoutMs: 20_000 });
    expect(busiestSecond(sendRequests(system, { from: HOT }).map((r) => r.time))).toBeLessThanOrEqual(1);
  });
});
