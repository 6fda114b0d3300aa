import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SmsSendRequested, Topics, createMessage } from '@sms-survey/contracts';
import { createPrismaClient, type PrismaClient } from '@sms-survey/db';
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN, type WorkerHandle } from '@sms-survey/service-kit';
import { loadDispatcherConfig, startDispatcher } from '@sms-survey/sms-dispatcher';
import { createTestDatabase, createTestTopics, eventually, silentLogger, type TestDatabase, type TestTopics } from '@sms-survey/testing';
import { buildSimulator, type Simulator } from '@sms-survey/twilio-simulator';
import { childProcessBaseEnv, freePort, startTopicReader } from '../src/index.js';
import { repoRoot } from './messaging-helpers.js';

// "A dispatcher killed mid-send must not produce a second SMS." A dispatcher runs as its own process and is
// SIGKILLed while two sends are at the simulator: one Twilio has accepted but not yet answered (its answer is
// lost with the process), one still on its way (the simulator drops it: it never reached Twilio). A new
// dispatcher in the same consumer group gets both commands again (their offsets were never committed) once the
// broker has given up on the dead member (session timeout, 6 s), finds both ledger rows left `sending`,
// and settles them through Twilio's message list.

vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

const ACCEPTED_SENDER = '+4759440001';
const LOST_SENDER = '+4759440002';
const ACCEPTED_CUSTOMER = '+4791500001';
const LOST_CUSTOMER = '+4791500002';
const LATER_SENDER = '+4759440003';
const LATER_CUSTOMER = '+4791500003';

const command = (from: string, to: string) =>
  createMessage(SmsSendRequested, {
    type: 'sms.send.requested',
    schemaVersion: 1,
    payload: { commandId: randomUUID(), sessionId: randomUUID(), from, to, body: `How satisfied were you? Reply 1-5 (${to})`, priority: 'new-survey' },
  });

describe('a dispatcher killed mid-send', () => {
  let database: TestDatabase;
  let topics: TestTopics;
  let simulator: Simulator;
  let prisma: PrismaClient;
  let reader: Awaited<ReturnType<typeof startTopicReader>>;
  let child: ChildProcess | undefined;
  let childOutput = '';
  let replacement: WorkerHandle | undefined;
  const accepted = command(ACCEPTED_SENDER, ACCEPTED_CUSTOMER);
  const lost = command(LOST_SENDER, LOST_CUSTOMER);
  const later = command(LATER_SENDER, LATER_CUSTOMER);
  let killedAt = 0;

  const creates = (to: string) => simulator.state.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json') && r.params.To === to);
  const sms = (to: string) => simulator.state.messages.filter((m) => m.direction === 'outbound-api' && m.to === to);
  const result = (commandId: string) =>
    eventually(
      () => reader.messages(topics.prefix + Topics.smsSendResult.name).find((m) => (m.value as { payload: { commandId: string } }).payload.commandId === commandId),
      { what: `a send result for ${commandId}`, timeoutMs: 75_000 },
    );

  beforeAll(async () => {
    database = await createTestDatabase();
    topics = await createTestTopics();
    prisma = createPrismaClient({ databaseUrl: database.url });
    simulator = buildSimulator({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN, statusCallbackDelayMs: 20, callbackMaxAttempts: 1 });
    const simulatorUrl = await simulator.app.listen({ port: 0, host: '127.0.0.1' });
    const env = {
      KAFKA_BROKERS: topics.brokers.join(','),
      KAFKA_TOPIC_PREFIX: topics.prefix,
      DATABASE_URL: database.url,
      TWILIO_API_BASE_URL: simulatorUrl,
      // Nothing listens there: no gateway in this test, status callbacks are not its subject.
      STATUS_CALLBACK_BASE_URL: `http://127.0.0.1:${await freePort()}`,
      STALE_SEND_MS: '2000',
    };
    reader = await startTopicReader(topics.brokers, [topics.prefix + Topics.smsSendResult.name]);

    // Twilio accepts the first send at once but answers only after 60 s; the second waits 4 s before Twilio
    // even sees it, and is dropped if its client has gone by then.
    simulator.state.apiDelays.push({ delayMs: 60_000, phase: 'after', method: 'POST', pathContains: '/Messages.json', from: ACCEPTED_SENDER, remaining: 1 });
    simulator.state.apiDelays.push({ delayMs: 4_000, phase: 'before', method: 'POST', pathContains: '/Messages.json', from: LOST_SENDER, remaining: 1 });

    child = spawn(process.execPath, ['--import', 'tsx', join('apps', 'sms-dispatcher', 'src', 'main.ts')], {
      cwd: repoRoot,
      env: { PATH: childProcessBaseEnv.PATH, ...env, PORT: String(await freePort()) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (childOutput += d));
    child.stderr!.on('data', (d) => (childOutput += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child!.on('exit', (_code, signal) => resolve(signal)));

    const { Kafka, logLevel } = await import('kafkajs');
    const producer = new Kafka({ clientId: 'crash-e2e', brokers: topics.brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic: topics.prefix + Topics.smsSend.name, messages: [accepted, lost].map((c) => ({ key: c.payload.from, value: JSON.stringify(c) })) });
    await producer.disconnect();

    // Both requests are at the simulator: kill the dispatcher before either is answered.
    await eventually(() => creates(ACCEPTED_CUSTOMER).length === 1 && creates(LOST_CUSTOMER).length === 1, { what: 'both sends at the simulator', timeoutMs: 60_000 }).catch((e: unknown) => {
      throw new Error(`${String(e)}\ndispatcher output:\n${childOutput.slice(-3000)}`);
    });
    child.kill('SIGKILL');
    killedAt = Date.now();
    expect(await exited).toBe('SIGKILL');
    const ledger = await prisma.sendLedger.findMany({ where: { commandId: { in: [accepted.payload.commandId, lost.payload.commandId] } } });
    expect(ledger.map((l) => l.state)).toEqual(['sending', 'sending']);

    replacement = await startDispatcher(loadDispatcherConfig({ ...env, PORT: '0' }), silentLogger().child({ service: 'sms-dispatcher-replacement' }), (e) => {
      throw e;
    });
    // A command written right after the kill, to a partition the dead replica held.
    const again = new Kafka({ clientId: 'crash-e2e-2', brokers: topics.brokers, logLevel: logLevel.NOTHING }).producer();
    await again.connect();
    await again.send({ topic: topics.prefix + Topics.smsSend.name, messages: [{ key: later.payload.from, value: JSON.stringify(later) }] });
    await again.disconnect();
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await replacement?.stop();
    await reader?.stop();
    await prisma?.$disconnect();
    await simulator?.app.close();
    await database?.drop();
    await topics?.delete();
  });

  it('after Twilio accepted it (the answer lost with the process): the new dispatcher finds it in Twilio\'s list, records it, sends nothing', async () => {
    const [message] = sms(ACCEPTED_CUSTOMER);
    expect(message).toBeDefined();
    const published = await result(accepted.payload.commandId);
    expect(published.value).toMatchObject({ type: 'sms.send.accepted', payload: { commandId: accepted.payload.commandId, messageSid: message!.sid, to: ACCEPTED_CUSTOMER } });
    expect(await prisma.sendLedger.findUnique({ where: { commandId: accepted.payload.commandId } })).toMatchObject({ state: 'sent', messageSid: message!.sid });
    // Found through the list, not sent again.
    expect(simulator.state.requests.some((r) => r.method === 'GET' && r.path.endsWith('/Messages.json') && r.params.To === ACCEPTED_CUSTOMER)).toBe(true);
    expect(creates(ACCEPTED_CUSTOMER)).toHaveLength(1);
    expect(sms(ACCEPTED_CUSTOMER)).toHaveLength(1);
  });

  it('before the request reached Twilio: the new dispatcher sends it, once', async () => {
    const published = await result(lost.payload.commandId);
    const messages = sms(LOST_CUSTOMER);
    expect(messages).toHaveLength(1);
    expect(published.value).toMatchObject({ type: 'sms.send.accepted', payload: { commandId: lost.payload.commandId, messageSid: messages[0]!.sid } });
    // The first request was dropped at the simulator; the second is the new dispatcher's.
    expect(creates(LOST_CUSTOMER).map((r) => [r.dropped ?? false, r.statusCode])).toEqual([[true, undefined], [false, 201]]);
    expect(await prisma.sendLedger.findUnique({ where: { commandId: lost.payload.commandId } })).toMatchObject({ state: 'sent', messageSid: messages[0]!.sid });
    // Nothing more turns up later: a later command of each sender (same key, same partition) is handled after any
    // repeat of theirs, so once both are sent, a repeat would have been too.
    const markers = [command(ACCEPTED_SENDER, '+4791500011'), command(LOST_SENDER, '+4791500012')];
    const { Kafka, logLevel } = await import('kafkajs');
    const producer = new Kafka({ clientId: 'crash-e2e-3', brokers: topics.brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic: topics.prefix + Topics.smsSend.name, messages: markers.map((c) => ({ key: c.payload.from, value: JSON.stringify(c) })) });
    await producer.disconnect();
    await eventually(() => markers.every((c) => sms(c.payload.to).length === 1), { what: 'the later command of each sender sent', timeoutMs: 30_000 });
    expect(sms(LOST_CUSTOMER)).toHaveLength(1);
    expect(sms(ACCEPTED_CUSTOMER)).toHaveLength(1);
  });

  it("the dead replica's partitions are consumed again within 10 s of the kill (6 s session timeout)", async () => {
    const [request] = await eventually(() => (creates(LATER_CUSTOMER).length > 0 ? creates(LATER_CUSTOMER) : undefined), { what: 'the later command sent', timeoutMs: 30_000 });
    expect(request!.time - killedAt).toBeLessThan(10_000);
  });
});
