import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inboundSms, surveySendRequested } from './events.js';
import type { InboundSmsReceived, RecordedAnswer } from '@sms-survey/contracts';
import { createPrismaClient, createSqlPool, createSurveyCatalog, createSurveyDefinitionRepository, poolSql, type PrismaClient, type SurveyCatalog } from '@sms-survey/db';
import type pg from 'pg';
import type { SenderPolicy } from '@sms-survey/survey-domain';
import { createTestDatabase, type TestDatabase } from '@sms-survey/testing';
import { applyConsumedOnce, type ConsumedEvent, type EngineDeps } from '../src/apply-events.js';
import type { OutboxEntry, OutboxRelay } from '../src/outbox-relay.js';

// Replies applied a batch at a time end exactly as they do one at a time (a batch of one): the same sessions,
// answers, SMS, suppression list and outbox events, in the same order. Each script below runs three times on a
// real database, for three sets of customers: one reply per transaction, all replies in one batch, and batches
// of three. (apply-events.property.int.spec.ts does the same for random sequences.)

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const csat = JSON.parse(readFileSync(new URL('../../../examples/surveys/csat-en-no.json', import.meta.url), 'utf8')) as { id: string };
const POOL = ['+4759440001', '+4759440002'];
const senders: SenderPolicy = { defaultSender: '+14155550100', subnumberPool: POOL, subnumberCountryPrefixes: ['+47'] };
// Any time of day: these tests are not about sending hours.
const sending = { zonesOf: () => [] };

/** Each customer's surveys (one per entry; a number when it uses subnumbering) and replies, in the order sent. */
interface Script {
  name: string;
  surveys: number;
  /** A +47 customer, who gets a number per concurrent session (subnumbering). */
  subnumbering?: boolean;
  /** [reply, index of the survey whose number it is sent to] */
  replies: [string, number?][];
  optOutType?: 'STOP';
}

const SCRIPTS: Script[] = [
  { name: 'answers to the end, with an invalid reply between', surveys: 1, replies: [['4'], ['maybe'], ['yes'], ['one more']] },
  { name: 'a low score branches to free text', surveys: 1, replies: [['1'], ['The agent was rude'], ['thanks']] },
  { name: 'too many invalid replies end the session', surveys: 1, replies: [['x'], ['y'], ['z'], ['w'], ['5']] },
  { name: 'STOP ends the session; later replies are ignored; START opts back in', surveys: 1, replies: [['5'], ['STOP'], ['yes'], ['START'], ['4']] },
  { name: 'no session at all', surveys: 0, replies: [['hello'], ['5']] },
  { name: 'a single answer', surveys: 1, replies: [['3']] },
  { name: 'a newer survey supersedes the older one; replies go to the newer', surveys: 2, replies: [['5'], ['yes']] },
  { name: 'subnumbering: replies to two sessions on two numbers', surveys: 2, subnumbering: true, replies: [['4', 0], ['2', 1], ['no', 0], ['It took too long', 1], ['5', 0]] },
];

const customerFor = (script: number, run: number) => (SCRIPTS[script]!.subnumbering ? `+47930${run}${String(script).padStart(4, '0')}` : `+1415600${run}${String(script).padStart(3, '0')}`);

describe('replies applied in one scene', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let sqlPool: pg.Pool;
  let catalog: SurveyCatalog;
  let version: number;

  beforeAll(async () => {
    database = await createTestDatabase();
    prisma = createPrismaClient({ databaseUrl: database.url, poolSize: 4 });
    sqlPool = createSqlPool({ databaseUrl: database.url, poolSize: 2 });
    version = (await createSurveyDefinitionRepository(prisma).save(csat.id, csat)).version;
    catalog = createSurveyCatalog(poolSql(sqlPool));
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await sqlPool?.end();
    await database?.drop();
  });

  /** Starts the scripts' surveys for run `run` and returns each reply as an event, interleaved across customers. */
  async function prepare(run: number): Promise<InboundSmsReceived[]> {
    const numbers = new Map<string, string[]>();
    for (const [i, script] of SCRIPTS.entries()) {
      const customer = customerFor(i, run);
      for (let s = 0; s < script.surveys; s++) {
        const event = surveySendRequested(customer, { id: csat.id, version });
        await applyConsumedOnce(sqlPool, applier().relay, 'setup', [event], engine());
      }
      const sessions = await prisma.surveySession.findMany({ where: { customer }, orderBy: { startedAt: 'asc' } });
      numbers.set(customer, sessions.map((s) => s.senderNumber));
    }
    const events: InboundSmsReceived[] = [];
    const longest = Math.max(...SCRIPTS.map((s) => s.replies.length));
    for (let r = 0; r < longest; r++) {
      for (const [i, script] of SCRIPTS.entries()) {
        const reply = script.replies[r];
        if (!reply) continue;
        const customer = customerFor(i, run);
        const [body, surveyIndex] = reply;
        events.push(inboundSms(customer, numbers.get(customer)![surveyIndex ?? 0] ?? senders.defaultSender, body));
      }
    }
    return events;
  }

  /** What the replies left behind for each script's customer, with run-specific values taken out. */
  async function outcome(run: number, outboxEntries: OutboxEntry[]) {
    return Promise.all(
      SCRIPTS.map(async (_, i) => {
        const customer = customerFor(i, run);
        const sessions = await prisma.surveySession.findMany({ where: { customer }, orderBy: { startedAt: 'asc' }, include: { answers: { orderBy: { id: 'asc' } } } });
        const sessionIndex = new Map(sessions.map((s, n) => [s.id, n]));
        const outbound = await prisma.outboundMessage.findMany({ where: { customer }, orderBy: { createdAt: 'asc' } });
        const inbound = await prisma.inboundMessage.findMany({ where: { customer }, orderBy: { receivedAt: 'asc' } });
        const events = outboxEntries
          .map((e) => e.message as unknown as { type: string; payload: Record<string, unknown> })
          .filter((m) => m.payload.customer === customer || m.payload.to === customer)
          .map((m) => ({
            type: m.type,
            session: sessionIndex.get(String(m.payload.sessionId)),
            body: m.payload.body,
            answer: (m.payload.answer as { elementId: string } | undefined)?.elementId,
            answersSoFar: (m.payload.answersSoFar as RecordedAnswer[] | undefined)?.map((a) => [a.elementId, a.elementType, a.rawReply, a.value]),
            status: m.payload.status,
            answers: (m.payload.answers as { rawReply: string }[] | undefined)?.map((a) => a.rawReply),
          }));
        return {
          sessions: sessions.map((s) => ({
            status: s.status,
            currentElementId: s.currentElementId,
            invalidReplies: s.invalidReplies,
            endReason: s.endReason?.replace(/[0-9a-f-]{36}/, '<session>'),
            answers: s.answers.map((a) => [a.elementId, a.rawReply, a.value]),
          })),
          outbound: outbound.map((m) => [sessionIndex.get(m.sessionId ?? ''), m.body, m.status]),
          inbound: inbound.map((m) => [m.body, m.sessionId === null ? null : sessionIndex.get(m.sessionId)]),
          suppressed: (await prisma.suppressedCustomer.count({ where: { customer } })) > 0,
          events,
        };
      }),
    );
  }

  const engine = (): EngineDeps => ({ catalog, senders, sending, flexPolicies: [] });

  /** The orchestrator's way of applying events, with a relay that records what would be published, in order. */
  function applier() {
    const published: OutboxEntry[] = [];
    const relay = { publishCommitted: async (_ids: readonly bigint[], entries: readonly OutboxEntry[]) => void published.push(...entries) } as unknown as OutboxRelay;
    const apply = (events: readonly ConsumedEvent[]) => applyConsumedOnce(sqlPool, relay, 'test-group', events, engine());
    return { published, apply, relay };
  }

  it('ends exactly as one reply per transaction does, whether all replies come in one batch or in batches of three', async () => {
    const oneByOne = await prepare(1);
    const one = applier();
    for (const event of oneByOne) await one.apply([event]);
    const entries1 = one.published;

    const all = await prepare(2);
    const batch = applier();
    await batch.apply(all);
    const entries2 = batch.published;

    const inThrees = await prepare(3);
    const threes = applier();
    for (let i = 0; i < inThrees.length; i += 3) await threes.apply(inThrees.slice(i, i + 3));
    const entries3 = threes.published;

    const expected = await outcome(1, entries1);
    // The scripts do reach every path: answers, branching, invalid replies, endings, opt-out, no session.
    expect(expected.map((o) => o.sessions.map((s) => s.status))).toEqual([
      ['completed'],
      ['completed'],
      ['abandoned'],
      ['opted-out'],
      [],
      ['active'],
      ['superseded', 'completed'],
      ['completed', 'completed'],
    ]);
    expect(expected[3]!.suppressed).toBe(false); // START after STOP
    expect(expected[1]!.sessions[0]!.answers.map((a) => a[0])).toEqual(['satisfaction', 'what-went-wrong']);
    expect(await outcome(2, entries2)).toEqual(expected);
    expect(await outcome(3, entries3)).toEqual(expected);

    // Answers read back from the database for answersSoFar (batches of three) keep their exact timestamps.
    const stored = new Set((await prisma.surveyAnswer.findMany({ select: { answeredAt: true } })).map((a) => a.answeredAt.toISOString()));
    const reported = entries3.flatMap((e) => ((e.message as unknown as { payload: { answersSoFar?: RecordedAnswer[] } }).payload.answersSoFar ?? []).map((a) => a.answeredAt));
    expect(reported.length).toBeGreaterThan(10);
    for (const at of reported) expect(stored).toContain(at);
  });

  it('a redelivered batch changes nothing and publishes nothing; a repeated event in a batch counts once', async () => {
    const events = await prepare(4);
    const { published, apply } = applier();
    await apply([...events, events[0]!]);
    const customers = SCRIPTS.map((_, i) => customerFor(i, 4));
    const state = async () => ({
      inbound: await prisma.inboundMessage.count({ where: { customer: { in: customers } } }),
      answers: await prisma.surveyAnswer.count({ where: { session: { customer: { in: customers } } } }),
      outbound: await prisma.outboundMessage.count({ where: { customer: { in: customers } } }),
      processed: await prisma.processedMessage.count({ where: { consumerGroup: 'test-group', messageId: { in: events.map((e) => e.id) } } }),
    });
    const first = await state();
    expect(first.inbound).toBe(events.length);
    expect(first.processed).toBe(events.length);
    const publishedOnce = published.length;
    await apply(events);
    expect(await state()).toEqual(first);
    expect(published).toHaveLength(publishedOnce);
  });
});
