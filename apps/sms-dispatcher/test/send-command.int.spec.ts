import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SmsSendRequested, createMessage } from '@sms-survey/contracts';
import { createPrismaClient, createSqlPool, poolSql, purgeExpired, type PrismaClient, type Sql } from '@sms-survey/db';
import type pg from 'pg';
import type { EventProducer, OutgoingEvent } from '@sms-survey/kafka';
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN } from '@sms-survey/service-kit';
import { createTestDatabase, silentLogger, type TestDatabase } from '@sms-survey/testing';
import { createTwilioClient } from '@sms-survey/twilio';
import { buildSimulator, type Simulator } from '@sms-survey/twilio-simulator';
import { UNPACED, createSendCommandHandler } from '../src/send-command.handler.js';
import { createPartitionLeases } from '../src/partition-leases.js';
import { createSendLedger, sendLedgerRetention } from '../src/send-ledger.js';

/** Records what the handler publishes; the Kafka path itself is covered by the system tests. */
function recordingProducer(): EventProducer & { events: OutgoingEvent[] } {
  const events: OutgoingEvent[] = [];
  return {
    events,
    connect: async () => undefined,
    disconnect: async () => undefined,
    publish: async (e) => void events.push(...e),
    publishRaw: async () => undefined,
  };
}

const SENDER = '+4759440000';
const typeOf = (e: OutgoingEvent | undefined) => (e?.message as { type?: string } | undefined)?.type;
const command = (to: string) =>
  createMessage(SmsSendRequested, {
    type: 'sms.send.requested',
    schemaVersion: 1,
    payload: { commandId: randomUUID(), sessionId: randomUUID(), from: SENDER, to, body: 'How satisfied were you? Reply 1-5' },
  });

describe('send command handler against the Twilio simulator and PostgreSQL', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let sqlPool: pg.Pool;
  let sql: Sql;
  let simulator: Simulator;
  let simulatorUrl: string;
  let producer: ReturnType<typeof recordingProducer>;
  let handler: ReturnType<typeof createSendCommandHandler>;
  type HandlerDeps = Parameters<typeof createSendCommandHandler>[0];
  /** The handler as the tests run it: the simulator's Twilio, the test database's ledger, few fast retries. */
  const handlerWith = (deps: Pick<HandlerDeps, 'twilio'> & Partial<HandlerDeps>) =>
    createSendCommandHandler({
      ledger: createSendLedger(sql),
      producer,
      logger: silentLogger(),
      registry: new Registry(),
      statusCallbackBaseUrl: 'https://surveys.example.com',
      validityPeriodSeconds: 900,
      maxAttempts: 3,
      retryBaseMs: 1,
      ...deps,
    });

  beforeAll(async () => {
    database = await createTestDatabase();
    prisma = createPrismaClient({ databaseUrl: database.url });
    sqlPool = createSqlPool({ databaseUrl: database.url, poolSize: 2 });
    sql = poolSql(sqlPool);
    simulator = buildSimulator({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN });
    simulatorUrl = await simulator.app.listen({ port: 0, host: '127.0.0.1' });
    const twilio = createTwilioClient({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN, apiBaseUrl: simulatorUrl });
    producer = recordingProducer();
    handler = handlerWith({ twilio });
  });

  beforeEach(() => {
    producer.events.length = 0;
  });

  afterAll(async () => {
    await simulator?.app.close();
    await sqlPool?.end();
    await prisma?.$disconnect();
    await database?.drop();
  });

  it('sends with a status callback carrying the command id and a validity period, and publishes the MessageSid', async () => {
    const cmd = command('+4791230001');
    await handler.handle(cmd);
    const sent = simulator.state.messages.filter((m) => m.to === '+4791230001');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.statusCallback).toBe(`https://surveys.example.com/twilio/messaging/status?commandId=${cmd.payload.commandId}`);
    expect(sent[0]!.validityPeriod).toBe(900);
    expect(producer.events[0]?.message).toMatchObject({ type: 'sms.send.accepted', payload: { commandId: cmd.payload.commandId, messageSid: sent[0]!.sid } });
  });

  it('a redelivered command is not sent again; the recorded result is published again', async () => {
    const cmd = command('+4791230002');
    await handler.handle(cmd);
    await handler.handle(cmd);
    expect(simulator.state.messages.filter((m) => m.to === '+4791230002')).toHaveLength(1);
    expect(producer.events.map(typeOf)).toEqual(['sms.send.accepted', 'sms.send.accepted']);
  });

  it('retries a 5xx and a 429 from Twilio, then sends once', async () => {
    simulator.state.apiFaults.push({ status: 503, code: 20503, message: 'down', method: 'POST', pathContains: '/Messages.json', remaining: 1 });
    simulator.state.apiFaults.push({ status: 429, code: 20429, message: 'slow down', method: 'POST', pathContains: '/Messages.json', remaining: 1 });
    const cmd = command('+4791230003');
    await handler.handle(cmd);
    expect(simulator.state.messages.filter((m) => m.to === '+4791230003')).toHaveLength(1);
    expect(typeOf(producer.events[0])).toBe('sms.send.accepted');
  });

  it('does not retry a permanent error (21211 invalid number): a failure event, and the ledger says failed', async () => {
    const cmd = command('+15005550001');
    await handler.handle(cmd);
    expect(producer.events).toHaveLength(1);
    expect(producer.events[0]?.message).toMatchObject({ type: 'sms.send.failed', payload: { errorCode: 21211, permanent: true } });
    const posts = simulator.state.requests.filter((r) => r.method === 'POST' && r.params?.To === '+15005550001');
    expect(posts).toHaveLength(1);
    expect((await prisma.sendLedger.findUnique({ where: { commandId: cmd.payload.commandId } }))?.state).toBe('failed');
  });

  it('gives up after the configured attempts when Twilio keeps failing, without a permanent verdict', async () => {
    simulator.state.apiFaults.push({ status: 500, code: 20500, message: 'boom', method: 'POST', pathContains: '/Messages.json', remaining: 3 });
    const cmd = command('+4791230004');
    await handler.handle(cmd);
    expect(simulator.state.messages.filter((m) => m.to === '+4791230004')).toHaveLength(0);
    expect(producer.events[0]?.message).toMatchObject({ type: 'sms.send.failed', payload: { permanent: false } });
  });

  it('claims and outcomes of commands handled together share statements; each command is sent once', async () => {
    const cmds = Array.from({ length: 20 }, (_, i) => command(`+47912311${String(i).padStart(2, '0')}`));
    await Promise.all([...cmds, ...cmds].map((c) => handler.handle(c).catch(() => undefined)));
    for (const c of cmds) expect(simulator.state.messages.filter((m) => m.to === c.payload.to)).toHaveLength(1);
    const rows = await prisma.sendLedger.findMany({ where: { commandId: { in: cmds.map((c) => c.payload.commandId) } } });
    expect(rows.map((r) => r.state)).toEqual(Array(20).fill('sent'));
    expect(rows.every((r) => r.messageSid?.startsWith('SM'))).toBe(true);
  });

  it('the ledger: a claim is granted once, again after a release, and outcomes are recorded in one statement', async () => {
    const ledger = createSendLedger(sql);
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const claimed = async (ids: string[]) => [...(await ledger.claimMany(ids.map((commandId) => ({ commandId }))))].filter(([, r]) => r === 'claimed').map(([id]) => id);
    expect((await claimed([a, b, a])).sort()).toEqual([a, b].sort());
    expect(await claimed([a, b, c])).toEqual([c]);
    expect(await claimed([a, b])).toEqual([]);
    await ledger.recordMany([
      { commandId: a, state: 'sent', messageSid: 'SMa' },
      { commandId: b, state: 'failed', errorCode: 21211 },
      { commandId: c, state: 'retry' },
    ]);
    expect(await ledger.get(a)).toMatchObject({ state: 'sent', messageSid: 'SMa', errorCode: null });
    expect(await ledger.get(b)).toMatchObject({ state: 'failed', messageSid: null, errorCode: 21211 });
    expect(await ledger.get(c)).toMatchObject({ state: 'retry' });
    expect(await claimed([a, b, c])).toEqual([c]);
  });

  it('fencing: a claim under a partition lease succeeds only while its epoch is the current one', async () => {
    const ledger = createSendLedger(sql);
    const topic = `fence-${randomUUID()}`;
    const first = createPartitionLeases(sqlPool, 'replica-a');
    const second = createPartitionLeases(sqlPool, 'replica-b');
    await first.take([{ topic, partition: 0 }, { topic, partition: 1 }]);
    const fenceOf = (leases: typeof first, partition: number) => ({ topic, partition, epoch: leases.of(topic, partition)!.epoch });
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    expect(await ledger.claimMany([{ commandId: a, fence: fenceOf(first, 0) }])).toEqual(new Map([[a, 'claimed']]));

    // replica-b takes partition 0: replica-a's claims on it are refused from now on, its claims on partition 1 are not.
    await second.take([{ topic, partition: 0 }]);
    const results = await ledger.claimMany([
      { commandId: b, fence: fenceOf(first, 0) },
      { commandId: c, fence: fenceOf(first, 1) },
    ]);
    expect(results).toEqual(new Map([[b, 'fenced'], [c, 'claimed']]));
    expect(await ledger.claimMany([{ commandId: b, fence: fenceOf(second, 0) }, { commandId: a, fence: fenceOf(second, 0) }])).toEqual(
      new Map([[b, 'claimed'], [a, 'exists']]),
    );
    expect(await ledger.get(b)).toMatchObject({ state: 'sending' });

    // Taken again by its holder without a break: the holding (and its pacer start) is unchanged; after another's, it is new.
    const heldSince = second.of(topic, 0)!.heldSinceMs;
    await new Promise((r) => setTimeout(r, 5));
    await second.take([{ topic, partition: 0 }]);
    expect(second.of(topic, 0)!.heldSinceMs).toBe(heldSince);
    await first.take([{ topic, partition: 0 }]);
    expect(first.of(topic, 0)!.heldSinceMs).toBeGreaterThan(heldSince);
  });

  it('a command claimed by a dispatcher that died before sending is sent once the row is stale', async () => {
    const stale = handlerWith({
      twilio: createTwilioClient({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN, apiBaseUrl: simulatorUrl }),
      staleSendMs: 1000,
    });
    const cmd = command('+4791230005');
    expect(await createSendLedger(sql).claim(cmd.payload.commandId)).toBe(true); // the dead dispatcher's claim
    await expect(stale.handle(cmd)).rejects.toThrow('being sent by another dispatcher');
    await new Promise((r) => setTimeout(r, 1100));
    await stale.handle(cmd);
    expect(simulator.state.messages.filter((m) => m.to === '+4791230005')).toHaveLength(1);
    expect(await createSendLedger(sql).get(cmd.payload.commandId)).toMatchObject({ state: 'sent' });
  });

  it('a Messaging Service sender: sent with MessagingServiceSid (no From), the result carries the number Twilio chose, sticky per customer', async () => {
    const MG = 'MG0123456789abcdef0123456789abcdef';
    simulator.state.messagingServices.set(MG, ['+14155550201', '+14155550202']);
    const first = command('+14155550777');
    first.payload.from = MG;
    await handler.handle(first);
    const post = simulator.state.requests.find((r) => r.method === 'POST' && r.params?.To === '+14155550777');
    expect(post?.params).toMatchObject({ MessagingServiceSid: MG });
    expect(post?.params?.From).toBeUndefined();
    const [message] = simulator.state.messages.filter((m) => m.to === '+14155550777');
    expect(message).toMatchObject({ messagingServiceSid: MG });
    expect(['+14155550201', '+14155550202']).toContain(message!.from);
    expect(producer.events[0]?.message).toMatchObject({
      type: 'sms.send.accepted',
      payload: { commandId: first.payload.commandId, messageSid: message!.sid, from: message!.from, messagingServiceSid: MG, to: '+14155550777' },
    });

    const second = command('+14155550777');
    second.payload.from = MG;
    await handler.handle(second);
    expect(simulator.state.messages.filter((m) => m.to === '+14155550777').map((m) => m.from)).toEqual([message!.from, message!.from]);

    // A dead dispatcher's claim after Twilio accepted the message: found in Twilio's list by the service's sid.
    const stale = handlerWith({
      twilio: createTwilioClient({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN, apiBaseUrl: simulatorUrl }),
      staleSendMs: 1000,
    });
    const third = command('+14155550777');
    third.payload.from = MG;
    third.payload.body = 'Anything else? Reply in your own words';
    expect(await createSendLedger(sql).claim(third.payload.commandId)).toBe(true);
    await handler.sendClaimed(third, UNPACED).then((r) => r.settled); // Twilio accepts it; then "the dispatcher dies": the row is put back
    await prisma.$executeRaw`UPDATE send_ledger SET state = 'sending', message_sid = NULL WHERE command_id = ${third.payload.commandId}::uuid`;
    await new Promise((r) => setTimeout(r, 1100));
    producer.events.length = 0;
    await stale.handle(third);
    expect(simulator.state.messages.filter((m) => m.to === '+14155550777')).toHaveLength(3);
    expect(producer.events[0]?.message).toMatchObject({ type: 'sms.send.accepted', payload: { from: message!.from, messagingServiceSid: MG } });
  });

  it('retention: rows of commands sent or failed over 14 days ago go; unsettled rows and younger ones stay', async () => {
    const rows = { sentOld: ['sent', '15 days'], failedOld: ['failed', '30 days'], retryOld: ['retry', '30 days'], sendingOld: ['sending', '30 days'], sentRecent: ['sent', '13 days'] } as const;
    const ids = Object.fromEntries(Object.keys(rows).map((name) => [name, randomUUID()]));
    for (const [name, [state, age]] of Object.entries(rows)) {
      await sqlPool.query(`INSERT INTO send_ledger (command_id, state, updated_at) VALUES ($1, $2, now() - $3::interval)`, [ids[name], state, age]);
    }
    expect(await purgeExpired(sql, sendLedgerRetention(14))).toBe(2);
    const { rows: left } = await sqlPool.query<{ id: string }>('SELECT command_id::text AS id FROM send_ledger WHERE command_id = ANY($1::uuid[])', [Object.values(ids)]);
    expect(left.map((r) => r.id).sort()).toEqual([ids['retryOld'], ids['sendingOld'], ids['sentRecent']].sort());
  });
});
