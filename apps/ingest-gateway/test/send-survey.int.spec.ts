import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SurveySendRequested, Topics, uuidFromName } from '@sms-survey/contracts';
import { createEventProducer, createKafka } from '@sms-survey/kafka';
import { silentLogger, uniqueName } from '@sms-survey/testing';
import { createSuppressionList } from '../src/api/suppressions.js';
import { OPTED_OUT } from '../src/routes/send-survey.js';
import { apiGateway, example, openDatabase, type ApiGateway, type Database } from './public-api-harness.js';

// POST /v1/surveys/:surveyId/send (SendSurvey) over `app.inject`, writing to the real broker: each test has
// topics of its own, so "exactly one command" means one. The surveys live in this file's test database.

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const CUSTOMER = '+4791234567';
const SEND = '/v1/surveys/csat-en-no/send';
const THREE_DAYS_MS = 3 * 24 * 3600 * 1000;

let db: Database;
beforeAll(async () => {
  db = await openDatabase();
  const csat = example('csat-en-no');
  await db.surveys.save('csat-en-no', csat);
  // Version 2: a send must pick the latest version.
  await db.surveys.save('csat-en-no', { ...csat, name: 'Customer satisfaction, v2' });
});
afterAll(async () => {
  await db?.close();
});

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

async function gateway(options: Parameters<typeof apiGateway>[1] = { topics: true }): Promise<ApiGateway> {
  // The real suppression list, in this file's database.
  const api = await apiGateway(db.surveys, { suppressions: createSuppressionList(db.prisma), ...options });
  cleanups.push(() => api.close());
  return api;
}

/** The seed's SendSurvey request, as an IVR would fill it in. */
function seedRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    clientReference: 'ivr-session-8842',
    userSessionVariables: [
      { key: 'agentid', value: 'agent-17' },
      { key: 'queueKey', value: 'support-no' },
      { key: 'consumerChannel', value: 'Phone' },
      { key: 'consumerSession', value: 'ivr-session-8842' },
      { key: 'consumerPhone', value: CUSTOMER },
      { key: 'systemCountry', value: 'NO' },
      { key: 'campaign', value: 'spring' },
    ],
    identifier: CUSTOMER,
    identifierType: 'Phone',
    channel: 'SMS',
    content: 'On a scale from 1-10 how much did you enjoy the shopping experience with us. Please respond by replying to this message.',
    language: 'no',
    ...overrides,
  };
}

const commands = (api: ApiGateway) => api.events(Topics.surveyCommands.name);

describe('POST /v1/surveys/:surveyId/send', () => {
  it('answers 202 with a new session after writing exactly one survey.send.requested keyed by the number', async () => {
    const api = await gateway();
    const request = seedRequest();
    const before = Date.now();

    const res = await api.request('POST', SEND, request);
    expect(res.statusCode).toBe(202);
    const body = res.json() as { sessionId: string; surveyId: string; surveyVersion: number; expiresAt: string };
    expect(body).toEqual({ sessionId: expect.any(String), surveyId: 'csat-en-no', surveyVersion: 2, expiresAt: expect.any(String) });
    expect(body.sessionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // No expiryTime: three days from now.
    const expiresAt = Date.parse(body.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + THREE_DAYS_MS);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + THREE_DAYS_MS);

    const written = await commands(api);
    expect(written).toHaveLength(1);
    const [{ key, type, event }] = written as [(typeof written)[number]];
    expect(key).toBe(CUSTOMER);
    expect(type).toBe('survey.send.requested');
    expect(SurveySendRequested.safeParse(event).success).toBe(true);
    expect(event).toMatchObject({ type: 'survey.send.requested', schemaVersion: 1 });
    expect(event.payload).toEqual({
      sessionId: body.sessionId,
      surveyId: 'csat-en-no',
      surveyVersion: 2,
      customer: CUSTOMER,
      clientReference: 'ivr-session-8842',
      expiresAt: body.expiresAt,
      userSessionVariables: request.userSessionVariables,
      content: request.content,
      language: 'no',
      origin: { kind: 'api' },
    });
  });

  it('takes any BCP 47 language tag and passes it on in canonical case (the orchestrator picks the survey language)', async () => {
    const api = await gateway();
    const asked = ['SV-se', 'en_GB', 'pt-BR', 'de-CH-1901-abcdefgh-ijklmnop-qrstuv'];
    for (const [index, language] of asked.entries()) {
      const res = await api.request('POST', SEND, seedRequest({ identifier: `+4791234${String(560 + index)}`, language }));
      expect(res.statusCode, JSON.stringify(res.json())).toBe(202);
    }
    const written = await commands(api);
    expect(written.map((w) => w.event.payload.language).sort()).toEqual(['de-CH-1901-abcdefgh-ijklmnop-qrstuv', 'en-GB', 'pt-BR', 'sv-SE']);
  });

  it('takes an expiryTime with an offset, and needs only identifier, identifierType and channel', async () => {
    const api = await gateway();
    const expiryTime = new Date(Date.now() + 6 * 3600 * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
    const withExpiry = await api.request('POST', SEND, seedRequest({ expiryTime }));
    expect(withExpiry.statusCode).toBe(202);
    expect(Date.parse(withExpiry.json().expiresAt)).toBe(Date.parse(expiryTime));

    const minimal = await api.request('POST', SEND, { identifier: '+46701234567', identifierType: 'Phone', channel: 'SMS' });
    expect(minimal.statusCode).toBe(202);

    const written = await commands(api);
    expect(written).toHaveLength(2);
    const byCustomer = new Map(written.map((w) => [w.key, w.event.payload]));
    expect(byCustomer.get(CUSTOMER)).toMatchObject({ expiresAt: withExpiry.json().expiresAt });
    expect(byCustomer.get('+46701234567')).toEqual({
      sessionId: minimal.json().sessionId,
      surveyId: 'csat-en-no',
      surveyVersion: 2,
      customer: '+46701234567',
      expiresAt: minimal.json().expiresAt,
      userSessionVariables: [],
      origin: { kind: 'api' },
    });
    expect(withExpiry.json().sessionId).not.toBe(minimal.json().sessionId);
  });

  const invalidFields: { field: string; value: unknown; message?: RegExp }[] = [
    { field: 'identifier', value: '91234567', message: /E\.164/ },
    { field: 'identifier', value: '+47 912 34 567', message: /E\.164/ },
    { field: 'identifier', value: '+4722123456', message: /fixed-line .*mobile number/ },
    { field: 'identifier', value: '+4780012345', message: /toll-free/ },
    { field: 'identifier', value: '+4759123456', message: /not a valid phone number/ },
    { field: 'identifier', value: undefined },
    { field: 'identifierType', value: 'Email', message: /must be "Phone"/ },
    { field: 'channel', value: 'Voice', message: /must be "SMS"/ },
    { field: 'expiryTime', value: new Date(Date.now() - 60_000).toISOString(), message: /must be in the future/ },
    { field: 'expiryTime', value: '2099-01-01', message: /ISO 8601/ },
    { field: 'expiryTime', value: 'tomorrow', message: /ISO 8601/ },
    { field: 'clientReference', value: 'r'.repeat(201) },
    { field: 'content', value: 'c'.repeat(1001) },
    { field: 'language', value: 'x'.repeat(11), message: /BCP 47 language tag/ },
    { field: 'language', value: 'Swedish!', message: /BCP 47 language tag/ },
    { field: 'language', value: 'de-CH-1901-abcdefgh-ijklmnop-qrstuvw', message: /at most 35/ },
    { field: 'userSessionVariables', value: { agentId: 'a-17' } },
    { field: 'userSessionVariables.0.key', value: [{ value: 'no key' }] },
  ];

  it.each(invalidFields)('answers 400 naming $field when it is $value, writing nothing', async ({ field, value, message }) => {
    const api = await gateway();
    const topField = field.split('.')[0]!;
    const res = await api.request('POST', SEND, seedRequest({ [topField]: value }));
    expect(res.statusCode).toBe(400);
    const body = res.json() as { error: string; problems: string[] };
    expect(body.error).toBe('invalid request');
    expect(body.problems).toHaveLength(1);
    expect(body.problems[0]).toMatch(new RegExp(`^${field.replace(/\./g, '\\.')}: `));
    if (message) expect(body.problems[0]).toMatch(message);
    expect(await commands(api)).toEqual([]);
  });

  it('names every invalid field at once', async () => {
    const api = await gateway();
    const res = await api.request('POST', SEND, {
      ...seedRequest(),
      identifier: '+4722123456',
      identifierType: 'Email',
      channel: 'Voice',
      expiryTime: '2000-01-01T00:00:00Z',
      content: 'c'.repeat(1001),
    }, { 'idempotency-key': 'k'.repeat(201) });
    expect(res.statusCode).toBe(400);
    const problems = (res.json() as { problems: string[] }).problems;
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['Idempotency-Key', 'channel', 'content', 'expiryTime', 'identifier', 'identifierType']);
    expect(await commands(api)).toEqual([]);
  });

  it('answers 400 to a body that is not a JSON object', async () => {
    const api = await gateway();
    const res = await api.request('POST', SEND, [seedRequest()]);
    expect(res.statusCode).toBe(400);
    expect(res.json().problems).toEqual([expect.stringMatching(/^\(body\): /)]);
  });

  it('answers 404 for a survey that does not exist, writing nothing', async () => {
    const api = await gateway();
    const res = await api.request('POST', '/v1/surveys/no-such-survey/send', seedRequest());
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'survey no-such-survey not found' });
    expect(await commands(api)).toEqual([]);
  });

  it('derives the session from an Idempotency-Key, so a retried request names the same session', async () => {
    const api = await gateway();
    const key = randomUUID();
    const first = await api.request('POST', SEND, seedRequest(), { 'idempotency-key': key });
    const retried = await api.request('POST', SEND, seedRequest(), { 'idempotency-key': key });
    const otherKey = await api.request('POST', SEND, seedRequest(), { 'idempotency-key': `${key}-2` });
    const noKey = [await api.request('POST', SEND, seedRequest()), await api.request('POST', SEND, seedRequest())];
    for (const res of [first, retried, otherKey, ...noKey]) expect(res.statusCode).toBe(202);

    const sessionId = uuidFromName(`send:csat-en-no:${key}`);
    expect(first.json().sessionId).toBe(sessionId);
    expect(retried.json().sessionId).toBe(sessionId);
    expect(otherKey.json().sessionId).not.toBe(sessionId);
    expect(noKey[0]!.json().sessionId).not.toBe(noKey[1]!.json().sessionId);

    // The retried command is a copy of the first, with the same event id, for the orchestrator to drop.
    const written = await commands(api);
    expect(written).toHaveLength(5);
    const copies = written.filter((w) => w.event.payload.sessionId === sessionId);
    expect(copies).toHaveLength(2);
    expect(copies[0]!.event.id).toBe(copies[1]!.event.id);
    expect(new Set(written.map((w) => w.event.id)).size).toBe(4);
  });

  it('answers 409 to a customer who opted out (texted STOP), writing nothing; after START (off the list) 202 again', async () => {
    const api = await gateway();
    const optedOut = '+4791234599';
    await db.prisma.suppressedCustomer.create({ data: { customer: optedOut, reason: 'customer texted an opt-out keyword' } });

    const refused = await api.request('POST', SEND, seedRequest({ identifier: optedOut }));
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toEqual({ error: OPTED_OUT });
    expect(OPTED_OUT).toMatch(/opted out.*STOP.*START/);
    // With an Idempotency-Key too: the key does not get around the list.
    const withKey = await api.request('POST', SEND, seedRequest({ identifier: optedOut }), { 'idempotency-key': randomUUID() });
    expect(withKey.statusCode).toBe(409);
    expect(await commands(api)).toEqual([]);

    // Others are not affected; a survey that does not exist is still a 404 first.
    expect((await api.request('POST', SEND, seedRequest())).statusCode).toBe(202);
    expect((await api.request('POST', '/v1/surveys/no-such-survey/send', seedRequest({ identifier: optedOut }))).statusCode).toBe(404);

    // START takes them off the list (the orchestrator deletes the row): surveys can be sent again.
    await db.prisma.suppressedCustomer.delete({ where: { customer: optedOut } });
    const again = await api.request('POST', SEND, seedRequest({ identifier: optedOut }));
    expect(again.statusCode).toBe(202);
    const written = await commands(api);
    expect(written.map((w) => w.key)).toEqual(expect.arrayContaining([CUSTOMER, optedOut]));
    expect(written).toHaveLength(2);
  });

  it('answers 503 saying to retry when Kafka cannot take the command', async () => {
    const kafka = createKafka({ brokers: ['127.0.0.1:1'], clientId: uniqueName('gateway-down-') }, silentLogger());
    const producer = createEventProducer(kafka, { topicPrefix: uniqueName('t') + '.', publishTimeoutMs: 500 });
    cleanups.push(() => producer.disconnect());
    const api = await gateway({ producer });

    const res = await api.request('POST', SEND, seedRequest());
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toMatch(/retry/);
  });
});
