import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inboundSms, surveySendRequested } from './events.js';
import { MessageStatusReported, createMessage, type RecordedAnswer } from '@sms-survey/contracts';
import { createPrismaClient, createSqlPool, createSurveyCatalog, createSurveyDefinitionRepository, poolSql, type PrismaClient } from '@sms-survey/db';
import type { SenderPolicy } from '@sms-survey/survey-domain';
import { createTestDatabase, type TestDatabase } from '@sms-survey/testing';
import type pg from 'pg';
import { applyConsumedOnce, applyEventsInScene, type EngineDeps, type SceneEvent } from '../src/apply-events.js';
import type { OutboxEntry, OutboxRelay } from '../src/outbox-relay.js';
import { inOutboxTransaction } from '../src/transaction.js';

// Property: random sequences of replies (answers, invalid replies, STOP, START, HELP), expiries and delivery
// reports, applied one by one, all in one batch, and in random batch splits, leave the same rows and publish the
// same events. Two of the customers use subnumbering with two sessions, and text both a pool number and the
// default number: two lookups that reach one session.

vi.setConfig({ testTimeout: 240_000, hookTimeout: 60_000 });

const csat = JSON.parse(readFileSync(new URL('../../../examples/surveys/csat-en-no.json', import.meta.url), 'utf8')) as { id: string };
const POOL = ['+4759440001', '+4759440002'];
const DEFAULT_SENDER = '+14155550100';
const senders: SenderPolicy = { defaultSender: DEFAULT_SENDER, subnumberPool: POOL, subnumberCountryPrefixes: ['+47'] };
const GROUP = 'property';
const BODIES = ['5', '4', '1', 'yes', 'no', 'maybe', 'x', 'The agent was rude', 'STOP', 'START', 'HELP'];
const DELIVERY = [
  { status: 'sent' },
  { status: 'delivered' },
  { status: 'undelivered', errorCode: 30003 },
  { status: 'failed', errorCode: 21610 },
] as const;

/** Customers 0–1 have one session each (no subnumbering), 2–3 two sessions on two pool numbers (+47). */
const CUSTOMERS = [
  { subnumbering: false, surveys: 1 },
  { subnumbering: false, surveys: 2 },
  { subnumbering: true, surveys: 2 },
  { subnumbering: true, surveys: 1 },
];

type Op =
  | { kind: 'reply'; customer: number; body: number; to: number }
  | { kind: 'expire'; customer: number; session: number }
  | { kind: 'delivery'; message: number; report: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('reply' as const), customer: fc.nat(CUSTOMERS.length - 1), body: fc.nat(BODIES.length - 1), to: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const), customer: fc.nat(CUSTOMERS.length - 1), session: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delivery' as const), message: fc.nat(5), report: fc.nat(DELIVERY.length - 1) }) },
);

describe('one path for events (property)', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let pool: pg.Pool;
  let deps: EngineDeps;
  let version: number;
  let run = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    prisma = createPrismaClient({ databaseUrl: database.url, poolSize: 2 });
    pool = createSqlPool({ databaseUrl: database.url, poolSize: 2 });
    version = (await createSurveyDefinitionRepository(prisma).save(csat.id, csat)).version;
    deps = { catalog: createSurveyCatalog(poolSql(pool)), senders, sending: { zonesOf: () => [] }, flexPolicies: [] };
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await pool?.end();
    await database?.drop();
  });

  /** Records what would be published, and marks the due rows published as the relay does (held ones stay held). */
  function recordingRelay(published: OutboxEntry[]): OutboxRelay {
    return {
      publishCommitted: async (ids: readonly bigint[], entries: readonly OutboxEntry[]) => {
        published.push(...entries);
        const due = ids.filter((_, i) => !entries[i]!.availableAt);
        if (due.length > 0) await pool.query('UPDATE outbox_event SET published_at = now() WHERE id = ANY($1::bigint[])', [due.map(String)]);
      },
    } as unknown as OutboxRelay;
  }

  /** Applies a mixed batch (consumed events exactly once, due events as the timers do) in one transaction. */
  async function applyBatch(relay: OutboxRelay, events: readonly SceneEvent[]): Promise<void> {
    await inOutboxTransaction(pool, relay, events.length, (sql, outbox) => applyEventsInScene(sql, outbox, events, deps, new Date(), GROUP));
  }

  /** Starts every customer's surveys for a new set of customers; returns their numbers, sessions and first SMS. */
  async function setUp() {
    run += 1;
    const customers = CUSTOMERS.map((c, i) => (c.subnumbering ? `+4791${String(run).padStart(4, '0')}${i}` : `+1415${String(run).padStart(5, '0')}${i}`));
    const relay = recordingRelay([]);
    for (const [i, c] of CUSTOMERS.entries()) {
      for (let s = 0; s < c.surveys; s++) {
        await applyConsumedOnce(pool, relay, GROUP, [surveySendRequested(customers[i]!, { id: csat.id, version })], deps);
      }
    }
    const sessions = await Promise.all(customers.map((customer) => prisma.surveySession.findMany({ where: { customer }, orderBy: { startedAt: 'asc' } })));
    const messages = await prisma.outboundMessage.findMany({ where: { customer: { in: customers } }, orderBy: { createdAt: 'asc' } });
    // Delivery reports come only for SMS that were sent: the ones the relay published (the held ones are not yet).
    const published = new Set(
      (await pool.query<{ id: string }>(`SELECT payload->'payload'->>'commandId' AS id FROM outbox_event WHERE published_at IS NOT NULL`)).rows.map((r) => r.id),
    );
    return { customers, sessions, messages, sent: messages.filter((m) => published.has(m.commandId)) };
  }

  function eventsOf(ops: readonly Op[], setup: Awaited<ReturnType<typeof setUp>>): SceneEvent[] {
    return ops.map((op): SceneEvent => {
      switch (op.kind) {
        case 'reply': {
          const customer = setup.customers[op.customer]!;
          const numbers = setup.sessions[op.customer]!.map((s) => s.senderNumber);
          // A pool number of one of the customer's sessions, or the default number.
          const to = op.to < numbers.length && CUSTOMERS[op.customer]!.subnumbering ? numbers[op.to]! : DEFAULT_SENDER;
          const body = BODIES[op.body]!;
          return inboundSms(customer, to, body, body === 'STOP' ? 'STOP' : undefined);
        }
        case 'expire': {
          const sessions = setup.sessions[op.customer]!;
          return { type: 'session.expiry.due', sessionId: sessions[op.session % sessions.length]!.id };
        }
        case 'delivery': {
          const message = setup.sent[op.message % setup.sent.length]!;
          const report = DELIVERY[op.report]!;
          return createMessage(MessageStatusReported, {
            type: 'sms.status.reported',
            schemaVersion: 1,
            payload: {
              messageSid: 'SM' + message.commandId.replaceAll('-', ''), // one per message, as Twilio's
              commandId: message.commandId,
              reportedAt: new Date().toISOString(),
              to: message.customer,
              from: message.fromNumber,
              status: report.status,
              ...('errorCode' in report && { errorCode: report.errorCode }),
            },
          });
        }
      }
    });
  }

  /** What the events left behind, with run-specific values (customers, ids, times) replaced by indexes. */
  async function outcome(setup: Awaited<ReturnType<typeof setUp>>, published: readonly OutboxEntry[]) {
    const sessionIndex = new Map(setup.sessions.flatMap((list, c) => list.map((s, n) => [s.id, `${c}.${n}`] as const)));
    const customerIndex = new Map(setup.customers.map((c, i) => [c, i]));
    const messageIndex = new Map(setup.messages.map((m, i) => [m.commandId, i]));
    const sessions = await prisma.surveySession.findMany({ where: { customer: { in: setup.customers } }, include: { answers: { orderBy: { id: 'asc' } } } });
    const outbound = await prisma.outboundMessage.findMany({ where: { customer: { in: setup.customers } }, orderBy: { createdAt: 'asc' } });
    const inbound = await prisma.inboundMessage.findMany({ where: { customer: { in: setup.customers } }, orderBy: { receivedAt: 'asc' } });
    const suppressed = await prisma.suppressedCustomer.findMany({ where: { customer: { in: setup.customers } } });
    const held = await pool.query<{ commandId: string }>(
      `SELECT payload->'payload'->>'commandId' AS "commandId" FROM outbox_event WHERE published_at IS NULL AND key = ANY($1::text[]) ORDER BY id`,
      [[DEFAULT_SENDER, ...POOL]],
    );
    const ours = new Set(outbound.map((m) => m.commandId));
    const answersOf = (list: RecordedAnswer[] | undefined) => list?.map((a) => [a.elementId, a.rawReply, a.value]);
    return {
      sessions: sessions
        .map((s) => ({
          session: sessionIndex.get(s.id),
          status: s.status,
          currentElementId: s.currentElementId,
          invalidReplies: s.invalidReplies,
          endReason: s.endReason?.replace(/[0-9a-f-]{36}/, '<session>'),
          answers: s.answers.map((a) => [a.elementId, a.rawReply, a.value]),
        }))
        .sort((a, b) => String(a.session).localeCompare(String(b.session))),
      outbound: outbound.map((m) => [messageIndex.get(m.commandId) ?? 'new', sessionIndex.get(m.sessionId ?? '') ?? null, m.body, m.status, m.errorCode]),
      held: held.rows.filter((r) => ours.has(r.commandId)).length,
      inbound: inbound.map((m) => [m.body, customerIndex.get(m.customer), m.sessionId === null ? null : sessionIndex.get(m.sessionId)]),
      suppressed: suppressed.map((s) => [customerIndex.get(s.customer), s.reason]).sort(),
      events: published.map((e) => {
        const m = e.message as unknown as { type: string; payload: Record<string, unknown> };
        return {
          type: m.type,
          session: sessionIndex.get(String(m.payload.sessionId)),
          to: customerIndex.get(String(m.payload.to ?? m.payload.customer)),
          body: m.payload.body,
          held: e.availableAt !== undefined,
          answer: (m.payload.answer as { elementId: string } | undefined)?.elementId,
          answersSoFar: answersOf(m.payload.answersSoFar as RecordedAnswer[] | undefined),
          status: m.payload.status,
          answers: answersOf(m.payload.answers as RecordedAnswer[] | undefined),
        };
      }),
    };
  }

  async function runMode(ops: readonly Op[], split: (events: SceneEvent[]) => SceneEvent[][]) {
    const setup = await setUp();
    const published: OutboxEntry[] = [];
    const relay = recordingRelay(published);
    for (const batch of split(eventsOf(ops, setup))) await applyBatch(relay, batch);
    return outcome(setup, published);
  }

  it('one by one, as one batch, and in random splits: the same rows and the same events', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 14 }), fc.array(fc.nat(13), { maxLength: 4 }), async (ops, cuts) => {
        const oneByOne = await runMode(ops, (events) => events.map((e) => [e]));
        const oneBatch = await runMode(ops, (events) => [events]);
        const points = [...new Set(cuts.map((c) => c % ops.length))].sort((a, b) => a - b);
        const splits = await runMode(ops, (events) => [0, ...points].map((from, i, all) => events.slice(from, all[i + 1] ?? events.length)).filter((b) => b.length > 0));
        expect(oneBatch).toEqual(oneByOne);
        expect(splits).toEqual(oneByOne);
      }),
      { numRuns: 30 },
    );
  });
});
