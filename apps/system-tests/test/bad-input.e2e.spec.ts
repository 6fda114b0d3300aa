import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { allTopics, deadLetterTopicName, toStorableText, uuidFromName } from '@sms-survey/contracts';
import { createPrismaClient, type PrismaClient } from '@sms-survey/db';
import { SIMULATOR_AUTH_TOKEN } from '@sms-survey/service-kit';
import { eventually, readAll } from '@sms-survey/testing';
import { signWebhook } from '@sms-survey/twilio';
import { startSystem, waitUntilReady, type RunningSystem } from '../src/index.js';
import { API_KEY, csat } from './messaging-helpers.js';

// Issue 12, "nothing acknowledged is lost to bad input": every HTTP endpoint, fed mutated valid requests with
// hostile text (NUL, unpaired surrogates, emoji, right-to-left marks), huge and deeply nested values, answers a
// 4xx naming what is wrong or takes the request, never a 5xx while Kafka and PostgreSQL are up, never a stack or
// a library's detail; and what it took (2xx) has its effect. Then every consumed topic gets malformed records:
// each is dead-lettered with its reason and the consumers carry on.

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const CUSTOMER = '+4791234567';
const SENDER = '+4759440000';
const hex32 = () => randomBytes(16).toString('hex');
const LEAKS = /\bat [\w.<>]+ \(|node_modules|FST_ERR|Prisma|kafkajs|KafkaJS|ZodError|SQLSTATE|stack/i;

/** Text a client or Twilio might send: plain, any code unit (lone surrogates included), and the known troublemakers. */
const hostileText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('', '\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '😀', '\u202eevil', 'שלום', '__proto__', 'x'.repeat(5000)),
);
const deep = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileText,
  fc.integer(),
  fc.double(),
  // (5,000 levels deep is sent as raw JSON below: JSON.stringify itself overflows on it.)
  fc.constantFrom(null, true, [], {}, deep(200), deep(40), ['\u0000']),
);

/** A valid body with some of its fields replaced by hostile values, removed, or a hostile key added. */
const mutated = (valid: Record<string, unknown>) =>
  fc
    .record({
      replace: fc.subarray(Object.keys(valid)),
      remove: fc.subarray(Object.keys(valid), { maxLength: 1 }),
      values: fc.array(hostileValue, { minLength: Object.keys(valid).length, maxLength: Object.keys(valid).length }),
      extraKey: fc.option(hostileText, { nil: undefined }),
    })
    .map(({ replace, remove, values, extraKey }) => {
      const body: Record<string, unknown> = { ...valid };
      replace.forEach((k, i) => (body[k] = values[i]));
      for (const k of remove) delete body[k];
      if (extraKey !== undefined) body[extraKey] = 'extra';
      return body;
    });

interface Answer {
  status: number;
  text: string;
}

describe('bad input at every edge', () => {
  let system: RunningSystem;
  let prisma: PrismaClient;
  /** Effects owed by requests that were answered 2xx, checked at the end. */
  const owed: { what: string; check: () => Promise<boolean> }[] = [];

  const http = async (method: string, path: string, init: { json?: unknown; form?: Record<string, string>; headers?: Record<string, string>; raw?: string; auth?: boolean } = {}): Promise<Answer> => {
    const headers: Record<string, string> = { ...(init.auth === false ? {} : { authorization: `Bearer ${API_KEY}` }), ...init.headers };
    let body: string | undefined;
    if (init.raw !== undefined) {
      body = init.raw;
      headers['content-type'] ??= 'application/json';
    } else if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['content-type'] = 'application/json';
    } else if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await fetch(`${system.gateway.url}${path}`, { method, headers, body });
    return { status: res.status, text: await res.text() };
  };

  /** A webhook as Twilio signs it (the gateway checks the signature against its PUBLIC_BASE_URL). */
  const signed = (path: string, form: Record<string, string>) =>
    http('POST', path, { form, auth: false, headers: { 'x-twilio-signature': signWebhook(SIMULATOR_AUTH_TOKEN, `${system.gateway.url}${path}`, form) } });

  const expectSane = (answer: Answer, what: string) => {
    expect(answer.status, `${what}: ${answer.text.slice(0, 300)}`).toBeLessThan(500);
    expect(answer.text, what).not.toMatch(LEAKS);
    if (answer.status >= 400 && answer.status !== 404 && answer.status !== 401) {
      // A client mistake says what it is.
      const body = JSON.parse(answer.text) as { error?: unknown; problems?: unknown };
      expect(typeof body.error, `${what}: ${answer.text}`).toBe('string');
    }
  };

  const processed = (messageId: string) => async () => (await prisma.processedMessage.count({ where: { messageId } })) > 0;

  beforeAll(async () => {
    system = await startSystem({ API_KEYS: API_KEY, SMS_SENDER_NUMBER: SENDER });
    prisma = createPrismaClient({ databaseUrl: system.database.url });
    await waitUntilReady(system);
    expect((await http('PUT', `/v1/surveys/${csat.id}`, { json: csat })).status).toBe(201);
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await system?.stop();
  });

  it('the inputs of the issue: each a 4xx naming the field, or taken and applied', async () => {
    const send = (body: Record<string, unknown>) => http('POST', `/v1/surveys/${csat.id}/send`, { json: { identifier: CUSTOMER, identifierType: 'Phone', channel: 'SMS', ...body } });
    for (const content of ['hello\u0000world', '\ud800']) {
      const answer = await send({ content });
      expect(answer.status).toBe(400);
      expect(answer.text).toContain('content: must not contain NUL characters or unpaired surrogates');
    }
    const getNul = await http('GET', '/v1/surveys/a%00b');
    expect(getNul.status).toBe(400);
    expect(getNul.text).toContain('surveyId');
    const putNul = await http('PUT', '/v1/surveys/x', { json: { ...csat, id: 'x', name: 'bad\u0000name' } });
    expect(putNul.status).toBe(400);
    expect(putNul.text).toContain('name');
    const deep5000 = `${'{"a":'.repeat(5000)}"leaf"${'}'.repeat(5000)}`;
    const deepTransfer = await http('POST', '/v1/flex/survey-transfer', { raw: `{"taskSid":"WT${hex32()}","customerAddress":"${CUSTOMER}","taskAttributes":${deep5000}}` });
    expect(deepTransfer.status).toBe(400);
    expect(deepTransfer.text).toContain('taskAttributes: is nested deeper than 32 levels');
    const longId = await http('GET', `/v1/surveys/${'x'.repeat(10_000)}`);
    expect(longId.status).toBe(414);
    expect(JSON.parse(longId.text)).toEqual({ error: 'a path segment is longer than 2048 characters' });
    const longButRoutable = await http('GET', `/v1/surveys/${'x'.repeat(500)}`);
    expect(longButRoutable.status).toBe(400);
    expect(longButRoutable.text).toContain('surveyId: must be at most 100 characters');
    const proto = await http('POST', `/v1/surveys/${csat.id}/send`, { raw: '{"__proto__": {"admin": true}, "identifier": "+4791234567"}' });
    expect(proto.status).toBe(400);
    expect(JSON.parse(proto.text)).toEqual({ error: 'body must not contain a "__proto__" key' });
    const notJson = await http('POST', `/v1/surveys/${csat.id}/send`, { raw: '{"identifier": ' });
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.text).error).toMatch(/^body is not valid JSON: /);

    // A signed SMS whose body PostgreSQL cannot store as sent: taken (200) and stored, with U+FFFD in place.
    const messageSid = `SM${hex32()}`;
    const inbound = await signed('/twilio/messaging/inbound', { MessageSid: messageSid, AccountSid: `AC${hex32()}`, From: CUSTOMER, To: SENDER, Body: '5\u0000 thanks \ud800' });
    expect(inbound.status).toBe(200);
    const stored = await eventually(() => prisma.inboundMessage.findUnique({ where: { messageSid } }), { what: 'the SMS stored', timeoutMs: 20_000 });
    expect(stored.body).toBe('5\ufffd thanks \ufffd');
  });

  it('fuzzed requests to every endpoint: no 5xx, no internals, and every 2xx has its effect', async () => {
    const sendBody = { identifier: CUSTOMER, identifierType: 'Phone', channel: 'SMS', clientReference: 'ref', content: 'Hi', language: 'en', userSessionVariables: [{ key: 'agentId', value: 'a1' }] };
    await fc.assert(
      fc.asyncProperty(mutated(sendBody), fc.boolean(), async (body, withKey) => {
        const answer = await http('POST', `/v1/surveys/${csat.id}/send`, { json: body, auth: withKey });
        expectSane(answer, 'SendSurvey');
        if (!withKey) expect(answer.status).toBe(401);
        if (answer.status === 202) {
          const { sessionId } = JSON.parse(answer.text) as { sessionId: string };
          owed.push({ what: `session ${sessionId}`, check: async () => (await prisma.surveySession.count({ where: { id: sessionId } })) > 0 });
        }
      }),
      { numRuns: 60 },
    );

    const surveyBody = { ...csat, id: 'fuzz' };
    await fc.assert(
      fc.asyncProperty(mutated(surveyBody), fc.oneof(hostileText.map((t) => encodeURIComponent(toStorableText(t))), fc.constantFrom('%00', 'a%00b', '%ED%A0%80', '%', '%zz')), async (body, id) => {
        const path = `/v1/surveys/${id || 'fuzz'}`;
        const answer = await http('PUT', path, { json: body });
        expectSane(answer, 'PUT survey');
        expectSane(await http('GET', path), 'GET survey');
        expectSane(await http('GET', `${path}/versions/1`), 'GET survey version');
      }),
      { numRuns: 30 },
    );

    const transfer = { taskSid: `WT${hex32()}`, customerAddress: CUSTOMER, surveySmsPhoneNumber: SENDER, taskQueueName: 'Support', channelType: 'sms', workerName: 'alice', conversationId: 'CH1', taskAttributes: { channelType: 'sms' } };
    await fc.assert(
      fc.asyncProperty(mutated(transfer), fc.boolean(), async (body, asForm) => {
        const answer = asForm
          ? await http('POST', '/v1/flex/survey-transfer', { form: Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v) ?? ''])) })
          : await http('POST', '/v1/flex/survey-transfer', { json: body });
        expectSane(answer, 'survey-transfer');
        if (answer.status === 202) {
          const { eventId } = JSON.parse(answer.text) as { eventId: string };
          owed.push({ what: `transfer event ${eventId}`, check: processed(eventId) });
        }
      }),
      { numRuns: 40 },
    );

    const inboundForm = { MessageSid: `SM${hex32()}`, AccountSid: `AC${hex32()}`, From: CUSTOMER, To: SENDER, Body: 'hello' };
    await fc.assert(
      fc.asyncProperty(mutated(inboundForm), async (body) => {
        const form = Object.fromEntries(Object.entries({ ...body, MessageSid: typeof body.MessageSid === 'string' && body.MessageSid.startsWith('SM') ? `SM${hex32()}` : body.MessageSid }).map(([k, v]) => [k, String(v)]));
        const answer = await signed('/twilio/messaging/inbound', form);
        expectSane(answer, 'inbound SMS');
        if (answer.status === 200) owed.push({ what: `inbound ${form.MessageSid}`, check: async () => (await prisma.inboundMessage.count({ where: { messageSid: form.MessageSid } })) > 0 });
        // Unsigned, or signed for other parameters: refused.
        expect((await http('POST', '/twilio/messaging/inbound', { form, auth: false })).status).toBe(403);
      }),
      { numRuns: 50 },
    );

    const statusForm = { MessageSid: `SM${hex32()}`, MessageStatus: 'delivered', From: SENDER, To: CUSTOMER, ErrorCode: '30003' };
    await fc.assert(
      fc.asyncProperty(mutated(statusForm), async (body) => {
        const form = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)]));
        const answer = await signed('/twilio/messaging/status', form);
        expectSane(answer, 'status callback');
        if (answer.status === 200 || answer.status === 204) owed.push({ what: `status ${form.MessageSid}`, check: processed(uuidFromName(`status:${form.MessageSid}:${form.MessageStatus}`)) });
      }),
      { numRuns: 30 },
    );

    const taskForm = { EventType: 'task.wrapup', AccountSid: `AC${hex32()}`, WorkspaceSid: `WS${hex32()}`, TaskSid: `WT${hex32()}`, TaskAttributes: JSON.stringify({ from: CUSTOMER, channelType: 'sms' }), TaskQueueName: 'Support', WorkerName: 'alice' };
    await fc.assert(
      fc.asyncProperty(mutated(taskForm), async (body) => {
        const form = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v) ?? '']));
        const answer = await signed('/twilio/taskrouter/events', form);
        expectSane(answer, 'TaskRouter event');
      }),
      { numRuns: 30 },
    );

    const outbound = { fromNumber: '+4759441111', toName: 'Kari', toNumber: CUSTOMER };
    await fc.assert(
      fc.asyncProperty(mutated(outbound), async (body) => {
        const answer = await http('POST', '/v1/flex/outbound-sms-tasks', { json: body });
        expect(answer.text, 'outbound SMS task').not.toMatch(LEAKS);
        expect(answer.status, answer.text).not.toBe(500);
      }),
      { numRuns: 20 },
    );

    expect(owed.length).toBeGreaterThan(10);
    await eventually(
      async () => {
        const missing: string[] = [];
        for (const o of owed) if (!(await o.check())) missing.push(o.what);
        return missing.length === 0 ? true : undefined;
      },
      { what: 'the effect of every request answered 2xx', timeoutMs: 60_000 },
    );
  });

  it('malformed records on every consumed topic are dead-lettered with a reason, and the consumers carry on', async () => {
    const brokers = system.env.KAFKA_BROKERS!.split(',');
    const kafka = new Kafka({ clientId: 'bad-input-e2e', brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const consumed = allTopics.filter((t) => t.consumers.some((c) => !c.includes('downstream')));
    const bad = (topicName: string) => [
      { key: 'k', value: Buffer.from([0x7b, 0xff, 0x00]) },
      { key: 'k', value: null },
      { key: 'k', value: JSON.stringify({ type: 'something', payload: {} }) },
      { key: 'k', value: JSON.stringify({ type: 'x', id: randomUUID(), schemaVersion: 1, occurredAt: new Date().toISOString(), payload: { body: 'a\u0000b', topicName } }) },
    ];
    try {
      for (const t of consumed) await producer.send({ topic: system.topicPrefix + t.name, messages: bad(t.name) });
    } finally {
      await producer.disconnect();
    }
    for (const t of consumed) {
      const dead = await eventually(async () => {
        const messages = await readAll(kafka, deadLetterTopicName(system.topicPrefix + t.name));
        return messages.length >= 4 ? messages : undefined;
      }, { what: `4 dead letters for ${t.name}`, timeoutMs: 30_000 });
      for (const m of dead) expect(m.headers['dlq-reason']?.toString(), t.name).toMatch(/^(not JSON|schema validation failed)/);
    }

    // The consumers went past them: a survey still runs (commands → orchestrator → dispatcher → Twilio).
    const customer = '+4791234599';
    const answer = await http('POST', `/v1/surveys/${csat.id}/send`, { json: { identifier: customer, identifierType: 'Phone', channel: 'SMS' } });
    expect(answer.status).toBe(202);
    await eventually(() => system.simulator.state.messages.some((m) => m.direction === 'outbound-api' && m.to === customer), { what: 'the first SMS of a survey sent after the bad records', timeoutMs: 30_000 });
  });
});
