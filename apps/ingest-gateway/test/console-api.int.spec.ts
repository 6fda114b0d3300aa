import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Topics } from '@sms-survey/contracts';
import { createEventProducer, createKafka } from '@sms-survey/kafka';
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN, createMetricsRegistry } from '@sms-survey/service-kit';
import { createTestTopics, deleteTopicsWithPrefix, eventually, freePort, readAll, silentLogger, uniqueName } from '@sms-survey/testing';
import { buildSimulator, type Simulator } from '@sms-survey/twilio-simulator';
import { buildGateway } from '../src/index.js';
import { createSurveySessionReader, decodeCursor, encodeCursor, maskPhoneNumber } from '../src/api/survey-sessions.js';
import { API_KEY, example, openDatabase, type Database } from './public-api-harness.js';

// What the survey console (apps/console) needs of the gateway, against a test database of this file's own, the
// real broker and the real Twilio simulator: the results API (GET /v1/surveys/:id/sessions), the phone view's
// proxy to the simulator (/v1/simulator…), and the console's static files under /console.

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let db: Database;
let app: FastifyInstance;
let consoleDir: string;
const closers: (() => Promise<unknown>)[] = [];

const get = (url: string, headers: Record<string, string> = { authorization: `Bearer ${API_KEY}` }) => app.inject({ method: 'GET', url, headers });

beforeAll(async () => {
  db = await openDatabase();
  closers.push(() => db.close());
  consoleDir = await mkdtemp(join(tmpdir(), 'console-dist-'));
  closers.push(() => rm(consoleDir, { recursive: true, force: true }));
  await mkdir(join(consoleDir, 'assets'));
  await writeFile(join(consoleDir, 'index.html'), '<!doctype html><title>Survey console</title><script type="module" src="/console/assets/app-1234.js"></script>');
  await writeFile(join(consoleDir, 'assets', 'app-1234.js'), 'console.log("hello")');
  app = await buildGateway({
    logger: silentLogger(),
    producer: { publish: async () => undefined } as never,
    registry: createMetricsRegistry('ingest-gateway'),
    readiness: [],
    publicBaseUrl: 'https://surveys.example.com',
    twilioAuthTokens: ['twilio-auth-token-0123'],
    maxBodyBytes: 64 * 1024,
    apiKeys: [API_KEY],
    surveys: db.surveys,
    suppressions: { isSuppressed: async () => false },
    sessions: createSurveySessionReader(db.prisma),
    consoleDir,
  });
  closers.push(() => app.close());
  expect((await app.inject({ method: 'PUT', url: '/v1/surveys/csat-results', headers: { authorization: `Bearer ${API_KEY}` }, payload: { ...example('csat-en-no'), id: 'csat-results' } })).statusCode).toBe(201);
});
afterAll(async () => {
  while (closers.length > 0) await closers.pop()!().catch(() => undefined);
});

/** Stores a session as the orchestrator would, with its answers. */
async function storeSession(fields: { surveyId: string; customer: string; status: string; startedAt: Date; version?: number; answers?: { elementId: string; value: unknown; rawReply: string }[]; variables?: { key: string; value: string }[] }) {
  const id = randomUUID();
  await db.prisma.surveySession.create({
    data: {
      id,
      surveyId: fields.surveyId,
      surveyVersion: fields.version ?? 1,
      customer: fields.customer,
      senderNumber: '+4759440000',
      status: fields.status,
      currentElementId: fields.status === 'active' ? 'satisfaction' : null,
      language: 'no',
      userSessionVariables: fields.variables ?? [],
      expiresAt: new Date(fields.startedAt.getTime() + 86_400_000),
      startedAt: fields.startedAt,
      endedAt: fields.status === 'active' ? null : new Date(fields.startedAt.getTime() + 60_000),
      answers: {
        create: (fields.answers ?? []).map((a, i) => ({
          elementId: a.elementId,
          elementType: a.elementId === 'satisfaction' ? 'scale' : 'free-text',
          rawReply: a.rawReply,
          value: a.value as never,
          answeredAt: new Date(fields.startedAt.getTime() + 1000 * (i + 1)),
        })),
      },
    },
  });
  return id;
}

describe('GET /v1/surveys/:surveyId/sessions', () => {
  it('lists sessions newest first with status, answers and masked numbers, paged by cursor, with counts by status', async () => {
    const t0 = Date.parse('2026-11-20T10:00:00Z');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        await storeSession({
          surveyId: 'csat-results',
          customer: `+479100000${i}`,
          status: i % 2 === 0 ? 'completed' : 'active',
          startedAt: new Date(t0 + i * 60_000),
          answers: i % 2 === 0 ? [{ elementId: 'satisfaction', value: 4, rawReply: ' 4' }, { elementId: 'what-went-wrong', value: 'Lang kø', rawReply: 'Lang kø' }] : [],
          variables: [{ key: 'queueKey', value: 'support' }, { key: 'agentId', value: 'WK42' }, { key: 'consumerEmail', value: 'kari@example.com' }, { key: 'consumerPhone', value: `+479100000${i}` }],
        }),
      );
    }
    // Another survey's session, and one of another version, for the filters.
    await storeSession({ surveyId: 'other-survey', customer: '+4791999999', status: 'completed', startedAt: new Date(t0 + 10 * 60_000) });
    const v2 = await storeSession({ surveyId: 'csat-results', customer: '+4791888888', status: 'expired', startedAt: new Date(t0 - 60_000), version: 2 });

    const first = await get('/v1/surveys/csat-results/sessions?limit=2');
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.sessions.map((s: { sessionId: string }) => s.sessionId)).toEqual([ids[4], ids[3]]);
    expect(page1.counts).toEqual({ completed: 3, active: 2, expired: 1 });
    expect(page1.total).toBe(6);
    const newest = page1.sessions[0];
    expect(newest).toMatchObject({
      surveyVersion: 1,
      customer: '+•••••••004',
      status: 'completed',
      language: 'no',
      startedAt: new Date(t0 + 4 * 60_000).toISOString(),
      variables: { queueKey: 'support', agentId: 'WK42' },
      answers: [
        { elementId: 'satisfaction', elementType: 'scale', value: 4, rawReply: ' 4' },
        { elementId: 'what-went-wrong', elementType: 'free-text', value: 'Lang kø' },
      ],
    });
    // Nothing in the answer identifies the customer beyond the last 3 digits.
    expect(first.body).not.toContain('+4791000004');
    expect(first.body).not.toContain('kari@example.com');

    const page2 = (await get(`/v1/surveys/csat-results/sessions?limit=2&before=${page1.nextCursor}`)).json();
    expect(page2.sessions.map((s: { sessionId: string }) => s.sessionId)).toEqual([ids[2], ids[1]]);
    const page3 = (await get(`/v1/surveys/csat-results/sessions?limit=2&before=${page2.nextCursor}`)).json();
    expect(page3.sessions.map((s: { sessionId: string }) => s.sessionId)).toEqual([ids[0], v2]);
    expect(page3.nextCursor).toBeNull();

    const version2 = (await get('/v1/surveys/csat-results/sessions?version=2')).json();
    expect(version2.sessions.map((s: { sessionId: string }) => s.sessionId)).toEqual([v2]);
    expect(version2.counts).toEqual({ expired: 1 });
    const active = (await get('/v1/surveys/csat-results/sessions?status=active')).json();
    expect(active.sessions.map((s: { sessionId: string }) => s.sessionId)).toEqual([ids[3], ids[1]]);
    expect(active.counts).toEqual({ completed: 3, active: 2, expired: 1 });
  });

  it('sessions of the same instant are paged by id, none lost or repeated', async () => {
    await db.surveys.save('csat-same-instant', { ...example('csat-en-no'), id: 'csat-same-instant' });
    const at = new Date('2026-11-21T08:00:00.123Z');
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await storeSession({ surveyId: 'csat-same-instant', customer: `+4792000000${i}`, status: 'completed', startedAt: at }));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { sessions: { sessionId: string }[]; nextCursor: string | null } = (await get(`/v1/surveys/csat-same-instant/sessions?limit=1${cursor ? `&before=${cursor}` : ''}`)).json();
      seen.push(...page.sessions.map((s) => s.sessionId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].sort().reverse());
  });

  it('answers 404 for an unknown survey, 400 naming the parameter, 401 without a key', async () => {
    expect((await get('/v1/surveys/no-such-survey/sessions')).statusCode).toBe(404);
    const bad = await get('/v1/surveys/csat-results/sessions?limit=1000&status=gone&before=xyz');
    expect(bad.statusCode).toBe(400);
    const problems: string[] = bad.json().problems;
    expect(problems.some((p) => p.startsWith('limit:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('status:'))).toBe(true);
    const badCursor = await get('/v1/surveys/csat-results/sessions?before=xyz');
    expect(badCursor.json()).toEqual({ error: 'invalid request', problems: ['before: not a cursor this API returned (use nextCursor)'] });
    expect((await get('/v1/surveys/csat-results/sessions', {})).statusCode).toBe(401);
  });

  it('masks numbers but for their last 3 digits; cursors round-trip', () => {
    expect(maskPhoneNumber('+4791234567')).toBe('+•••••••567');
    expect(maskPhoneNumber('12')).toBe('••');
    const cursor = { startedAt: new Date('2026-11-21T08:00:00.123Z'), id: randomUUID() };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(decodeCursor('bm90LWEtY3Vyc29y')).toBeUndefined();
  });
});

describe('/console', () => {
  it('serves the built console under /console/ without an API key; /console redirects there', async () => {
    const redirect = await app.inject({ method: 'GET', url: '/console' });
    expect(redirect.statusCode).toBe(302);
    expect(redirect.headers.location).toBe('/console/');
    const index = await app.inject({ method: 'GET', url: '/console/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toContain('text/html');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.body).toContain('Survey console');
    const asset = await app.inject({ method: 'GET', url: '/console/assets/app-1234.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await app.inject({ method: 'GET', url: '/console/../package.json' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/console/nothing-here.js' })).statusCode).toBe(404);
  });

  it('says how to build the console when its folder has no build', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'console-empty-'));
    const bare = await buildGateway({
      logger: silentLogger(),
      producer: { publish: async () => undefined } as never,
      registry: createMetricsRegistry('ingest-gateway'),
      readiness: [],
      publicBaseUrl: 'https://surveys.example.com',
      twilioAuthTokens: ['twilio-auth-token-0123'],
      maxBodyBytes: 64 * 1024,
      apiKeys: [API_KEY],
      surveys: db.surveys,
      suppressions: { isSuppressed: async () => false },
      consoleDir: empty,
    });
    try {
      const res = await bare.inject({ method: 'GET', url: '/console/' });
      expect(res.statusCode).toBe(404);
      expect(res.body).toContain('npx nx run @sms-survey/console:build');
      // Without a session reader or a simulator, those routes are not there.
      expect((await bare.inject({ method: 'GET', url: '/v1/simulator', headers: { authorization: `Bearer ${API_KEY}` } })).statusCode).toBe(404);
      expect((await bare.inject({ method: 'GET', url: '/v1/surveys/csat-results/sessions', headers: { authorization: `Bearer ${API_KEY}` } })).statusCode).toBe(404);
    } finally {
      await bare.close();
      await rm(empty, { recursive: true, force: true });
    }
  });
});

describe('/v1/simulator (the phone view, against the real Twilio simulator)', () => {
  let simulator: Simulator;
  let simulatorUrl: string;
  let gatewayUrl: string;
  let prefix: string;
  let kafka: ReturnType<typeof createKafka>;
  let proxied: FastifyInstance;

  beforeAll(async () => {
    simulator = buildSimulator({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN, statusCallbackDelayMs: 20 });
    simulatorUrl = await simulator.app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => simulator.app.close());
    const topics = await createTestTopics();
    prefix = topics.prefix;
    kafka = createKafka({ brokers: topics.brokers, clientId: uniqueName('gateway-console-') }, silentLogger());
    closers.push(() => deleteTopicsWithPrefix(kafka, prefix));
    const producer = createEventProducer(kafka, { topicPrefix: prefix, publishTimeoutMs: 5000 });
    await producer.connect();
    closers.push(() => producer.disconnect());
    const port = await freePort();
    gatewayUrl = `http://127.0.0.1:${port}`;
    proxied = await buildGateway({
      logger: silentLogger(),
      producer,
      registry: createMetricsRegistry('ingest-gateway'),
      readiness: [],
      publicBaseUrl: gatewayUrl,
      twilioAuthTokens: [SIMULATOR_AUTH_TOKEN],
      maxBodyBytes: 64 * 1024,
      apiKeys: [API_KEY],
      surveys: db.surveys,
      suppressions: { isSuppressed: async () => false },
      simulator: { url: simulatorUrl },
    });
    await proxied.listen({ port, host: '127.0.0.1' });
    closers.push(() => proxied.close());
  });

  const call = async (method: string, path: string, body?: unknown, key = API_KEY) => {
    const res = await fetch(`${gatewayUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('lists the SMS to and from a number, and posts a signed inbound SMS to the gateway, which publishes it', async () => {
    expect(await call('GET', '/v1/simulator')).toEqual({ status: 200, body: { simulated: true } });
    const customer = '+4791234599';
    // What the dispatcher would send, through the simulator's Twilio API.
    const sent = await fetch(`${simulatorUrl}/api/2010-04-01/Accounts/${SIMULATOR_ACCOUNT_SID}/Messages.json`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${SIMULATOR_ACCOUNT_SID}:${SIMULATOR_AUTH_TOKEN}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ From: '+4759440000', To: customer, Body: 'Hvor fornøyd var du? Svar med et tall fra 1 til 5.' }),
    });
    expect(sent.status).toBe(201);

    const inbound = await call('POST', '/v1/simulator/inbound', { from: customer, to: '+4759440000', body: '4' });
    expect(inbound.status, JSON.stringify(inbound.body)).toBe(200);
    expect(inbound.body).toMatchObject({ webhookStatus: 200, messageSid: expect.stringMatching(/^SM/) });

    const listed = await call('GET', `/v1/simulator/messages?number=${encodeURIComponent(customer)}`);
    expect(listed.status).toBe(200);
    const messages = listed.body.messages as { direction: string; from: string; to: string; body: string }[];
    expect(messages.map((m) => [m.direction, m.from, m.to, m.body])).toEqual([
      ['outbound', '+4759440000', customer, 'Hvor fornøyd var du? Svar med et tall fra 1 til 5.'],
      ['inbound', customer, '+4759440000', '4'],
    ]);
    // The gateway checked the simulator's signature and published the reply, as for Twilio.
    const events = await eventually(async () => {
      const found = (await readAll(kafka, prefix + Topics.inboundSms.name)).map((m) => JSON.parse(m.value!.toString()) as { payload: { from: string; body: string } });
      return found.length > 0 ? found : undefined;
    }, { what: 'the inbound SMS event' });
    expect(events[0]!.payload).toMatchObject({ from: customer, body: '4' });
  });

  it('refuses bad input with the field named, and needs the API key', async () => {
    const bad = await call('POST', '/v1/simulator/inbound', { from: 'not-a-number', to: '+4759440000', body: 'x' });
    expect(bad.status).toBe(400);
    expect((bad.body.problems as string[])[0]).toMatch(/^from: /);
    expect((await call('GET', '/v1/simulator/messages?number=123')).status).toBe(400);
    expect((await call('GET', '/v1/simulator/messages?number=%2B4791234599', undefined, 'wrong-key-000000')).status).toBe(401);
  });
});
