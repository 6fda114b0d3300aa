import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Kafka } from 'kafkajs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Topics, uuidFromName } from '@sms-survey/contracts';
import { createEventProducer, createKafka, type EventProducer } from '@sms-survey/kafka';
import { createMetricsRegistry } from '@sms-survey/service-kit';
import { createTestTopics, deleteTopicsWithPrefix, readAll, silentLogger, uniqueName } from '@sms-survey/testing';
import { signWebhook } from '@sms-survey/twilio';
import { buildGateway } from '../src/index.js';

// The gateway's Twilio webhooks over `app.inject`, writing to the real broker. Each test builds its own gateway
// and producer on topics under a fresh prefix, and reads what landed with a fresh consumer group.

vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

const PUBLIC_BASE_URL = 'https://surveys.example.com';
const PRIMARY_TOKEN = 'primary-auth-token-0123';
const SECONDARY_TOKEN = 'secondary-auth-token-4567';
const MAX_BODY_BYTES = 4096;
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';
const CUSTOMER = '+4791234567';
const SENDER = '+4790000000';
const ACCOUNT_SID = `AC${'a'.repeat(32)}`;

const hex32 = () => randomBytes(16).toString('hex');
const notUsed = () => Promise.reject(new Error('not used by the webhook routes'));

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

interface Gateway {
  app: FastifyInstance;
  kafka: Kafka;
  /** Every event now on `<prefix><name>`, parsed. */
  events(topicName: string): Promise<{ key: string | null; type: string | undefined; event: Record<string, unknown> & { payload: Record<string, unknown> } }[]>;
}

async function gateway(options: { authTokens?: string[]; producer?: EventProducer } = {}): Promise<Gateway> {
  const { prefix, brokers } = await createTestTopics();
  const logger = silentLogger();
  const kafka = createKafka({ brokers, clientId: uniqueName('gateway-int-') }, logger);
  cleanups.push(() => deleteTopicsWithPrefix(kafka, prefix)); // runs last
  let producer = options.producer;
  if (!producer) {
    producer = createEventProducer(kafka, { topicPrefix: prefix, publishTimeoutMs: 5000 });
    await producer.connect();
    const p = producer;
    cleanups.push(() => p.disconnect());
  }
  const app = await buildGateway({
    logger,
    producer,
    registry: createMetricsRegistry('ingest-gateway'),
    readiness: [],
    publicBaseUrl: PUBLIC_BASE_URL,
    twilioAuthTokens: options.authTokens ?? [PRIMARY_TOKEN],
    maxBodyBytes: MAX_BODY_BYTES,
    apiKeys: ['test-api-key-0123'],
    // The public API is tested in surveys-api and send-survey; these webhooks never read surveys.
    surveys: { save: notUsed, latest: notUsed, version: notUsed, listLatest: notUsed },
    suppressions: { isSuppressed: notUsed },
  });
  cleanups.push(() => app.close());
  return {
    app,
    kafka,
    async events(topicName) {
      const messages = await readAll(kafka, prefix + topicName);
      return messages.map((m) => ({ key: m.key, type: m.headers['message-type']?.toString(), event: JSON.parse(m.value!.toString('utf8')) }));
    },
  };
}

function inboundParams(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const params: Record<string, string | undefined> = {
    ToCountry: 'NO',
    SmsMessageSid: undefined,
    NumMedia: '0',
    SmsSid: undefined,
    SmsStatus: 'received',
    Body: 'Yes, 5 stars',
    NumSegments: '1',
    MessageSid: `SM${hex32()}`,
    AccountSid: ACCOUNT_SID,
    From: CUSTOMER,
    To: SENDER,
    ApiVersion: '2010-04-01',
    ...overrides,
  };
  params.SmsMessageSid ??= params.MessageSid;
  params.SmsSid ??= params.MessageSid;
  return Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
}

/** POSTs a form like Twilio does, signed with `token` over `signedUrl` (by default the URL Twilio would call). */
function post(app: FastifyInstance, path: string, params: Record<string, string>, sign: { token?: string; signedUrl?: string; signature?: string | null } = {}) {
  const signature =
    sign.signature === undefined ? signWebhook(sign.token ?? PRIMARY_TOKEN, sign.signedUrl ?? PUBLIC_BASE_URL + path, params) : sign.signature;
  return app.inject({
    method: 'POST',
    url: path,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(signature === null ? {} : { 'x-twilio-signature': signature }),
    },
    payload: new URLSearchParams(params).toString(),
  });
}

const INBOUND = '/twilio/messaging/inbound';
const STATUS = '/twilio/messaging/status';

describe('POST /twilio/messaging/inbound', () => {
  it('answers a signed inbound SMS with empty TwiML after writing one event keyed by the customer, with an id derived from the MessageSid', async () => {
    const { app, events } = await gateway();
    const params = inboundParams({ OptOutType: 'HELP' });

    const res = await post(app, INBOUND, params);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.body).toBe(EMPTY_TWIML);

    const written = await events(Topics.inboundSms.name);
    expect(written).toHaveLength(1);
    const [{ key, type, event }] = written as [(typeof written)[number]];
    expect(key).toBe(CUSTOMER);
    expect(type).toBe('sms.inbound.received');
    expect(event).toMatchObject({
      type: 'sms.inbound.received',
      schemaVersion: 1,
      id: uuidFromName(`inbound:${params.MessageSid}`),
      payload: { messageSid: params.MessageSid, accountSid: ACCOUNT_SID, from: CUSTOMER, to: SENDER, body: 'Yes, 5 stars', optOutType: 'HELP' },
    });
    expect(Topics.inboundSms.schema.safeParse(event).success).toBe(true);

    // Twilio retries a webhook it got no answer to: the copy carries the same event id, for consumers to drop.
    const retried = await post(app, INBOUND, params);
    expect(retried.statusCode).toBe(200);
    const after = await events(Topics.inboundSms.name);
    expect(after.map((e) => e.event.id)).toEqual([uuidFromName(`inbound:${params.MessageSid}`), uuidFromName(`inbound:${params.MessageSid}`)]);
  });

  it('refuses unsigned and wrongly signed requests with 403, writing nothing, and accepts the secondary token', async () => {
    const { app, events } = await gateway({ authTokens: [PRIMARY_TOKEN, SECONDARY_TOKEN] });
    const forbidden = {
      'no X-Twilio-Signature': await post(app, INBOUND, inboundParams({ Body: 'unsigned' }), { signature: null }),
      'a garbage signature': await post(app, INBOUND, inboundParams({ Body: 'garbage' }), { signature: 'bm90IGEgc2lnbmF0dXJl' }),
      'another account token': await post(app, INBOUND, inboundParams({ Body: 'other token' }), { token: 'some-other-auth-token' }),
      'the http URL (public base is https)': await post(app, INBOUND, inboundParams({ Body: 'http' }), { signedUrl: `http://surveys.example.com${INBOUND}` }),
      'another host': await post(app, INBOUND, inboundParams({ Body: 'host' }), { signedUrl: `https://evil.example.com${INBOUND}` }),
      'another path': await post(app, INBOUND, inboundParams({ Body: 'path' }), { signedUrl: PUBLIC_BASE_URL + STATUS }),
    };
    for (const [what, res] of Object.entries(forbidden)) {
      expect({ what, status: res.statusCode }).toEqual({ what, status: 403 });
      expect(res.json()).toEqual({ error: 'missing or invalid X-Twilio-Signature' });
    }
    // A signed form whose body was changed on the way.
    const params = inboundParams({ Body: 'original' });
    const signature = signWebhook(PRIMARY_TOKEN, PUBLIC_BASE_URL + INBOUND, params);
    const tampered = await post(app, INBOUND, { ...params, Body: 'tampered' }, { signature });
    expect(tampered.statusCode).toBe(403);

    const rotated = inboundParams({ Body: 'secondary token' });
    const res = await post(app, INBOUND, rotated, { token: SECONDARY_TOKEN });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(EMPTY_TWIML);

    const written = await events(Topics.inboundSms.name);
    expect(written.map((e) => e.event.payload.body)).toEqual(['secondary token']);
  });

  it('answers 400 naming the fields of a signed but malformed form, writing nothing', async () => {
    const { app, events } = await gateway();

    const badFrom = await post(app, INBOUND, inboundParams({ From: '91234567' }));
    expect(badFrom.statusCode).toBe(400);
    expect(badFrom.json().problems).toEqual([expect.stringMatching(/^From: must be an E\.164 phone number/)]);

    const noSid = inboundParams();
    delete noSid.MessageSid;
    const missingSid = await post(app, INBOUND, noSid);
    expect(missingSid.statusCode).toBe(400);
    expect(missingSid.json().problems).toEqual([expect.stringMatching(/^MessageSid: /)]);

    const both = inboundParams({ From: 'anonymous' });
    delete both.MessageSid;
    const res = await post(app, INBOUND, both);
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toBe('invalid request');
    expect(body.problems).toHaveLength(2);
    expect(body.problems.join('\n')).toMatch(/^MessageSid: /m);
    expect(body.problems.join('\n')).toMatch(/^From: /m);

    expect(await events(Topics.inboundSms.name)).toEqual([]);
  });

  it('answers 413 to a body larger than maxBodyBytes', async () => {
    const { app, events } = await gateway();
    const params = inboundParams({ Body: 'x'.repeat(MAX_BODY_BYTES) });
    const res = await post(app, INBOUND, params);
    expect(res.statusCode).toBe(413);
    // Just under the limit is fine (the form stays within Twilio's 1600 characters of Body).
    const ok = await post(app, INBOUND, inboundParams({ Body: 'y'.repeat(1600) }));
    expect(ok.statusCode).toBe(200);
    expect((await events(Topics.inboundSms.name)).map((e) => (e.event.payload.body as string).length)).toEqual([1600]);
  });

  it('answers 503 saying to retry when Kafka cannot take the write', async () => {
    const kafka = createKafka({ brokers: ['127.0.0.1:1'], clientId: uniqueName('gateway-down-') }, silentLogger());
    const producer = createEventProducer(kafka, { topicPrefix: uniqueName('t') + '.', publishTimeoutMs: 500 });
    cleanups.push(() => producer.disconnect());
    const { app } = await gateway({ producer });

    const started = performance.now();
    const res = await post(app, INBOUND, inboundParams());
    expect(performance.now() - started).toBeLessThan(2000);
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toMatch(/retry/);

    const status = await post(app, `${STATUS}?commandId=${randomUUID()}`, statusParams());
    expect(status.statusCode).toBe(503);
  });
});

function statusParams(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    SmsSid: `SM${hex32()}`,
    SmsStatus: 'undelivered',
    MessageStatus: 'undelivered',
    To: CUSTOMER,
    MessageSid: `SM${hex32()}`,
    AccountSid: ACCOUNT_SID,
    From: SENDER,
    ApiVersion: '2010-04-01',
    ErrorCode: '30003',
    ...overrides,
  };
}

describe('POST /twilio/messaging/status', () => {
  it('writes a status event with the commandId from the callback URL, the status and the error code', async () => {
    const { app, events } = await gateway();
    const commandId = randomUUID();
    const params = statusParams();
    const path = `${STATUS}?commandId=${commandId}`;

    const res = await post(app, path, params); // signed over the URL with its query string
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(EMPTY_TWIML);

    // Signed without the query string: not what Twilio requested.
    const unsignedQuery = await post(app, path, statusParams({ MessageStatus: 'delivered' }), { signedUrl: PUBLIC_BASE_URL + STATUS });
    expect(unsignedQuery.statusCode).toBe(403);

    const badCommand = await post(app, `${STATUS}?commandId=not-a-uuid`, statusParams());
    expect(badCommand.statusCode).toBe(400);
    expect(badCommand.json().problems).toEqual([expect.stringMatching(/^commandId: /)]);

    const written = await events(Topics.messageStatus.name);
    expect(written).toHaveLength(1);
    expect(written[0]!.key).toBe(CUSTOMER);
    expect(written[0]!.event).toMatchObject({
      type: 'sms.status.reported',
      id: uuidFromName(`status:${params.MessageSid}:undelivered`),
      payload: { messageSid: params.MessageSid, commandId, status: 'undelivered', errorCode: 30003, to: CUSTOMER, from: SENDER },
    });
  });
});

describe('ops routes', () => {
  it('GET /healthz is 200 and /metrics counts webhooks by kind and outcome', async () => {
    const { app } = await gateway();
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

    expect((await post(app, INBOUND, inboundParams())).statusCode).toBe(200);
    expect((await post(app, INBOUND, inboundParams(), { signature: null })).statusCode).toBe(403);

    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toContain('# TYPE gateway_twilio_webhooks_total counter');
    expect(metrics.body).toMatch(/^gateway_twilio_webhooks_total\{(?=[^}]*kind="inbound")(?=[^}]*outcome="accepted")[^}]*\} 1$/m);
    expect(metrics.body).toMatch(/^gateway_twilio_webhooks_total\{(?=[^}]*kind="inbound")(?=[^}]*outcome="bad-signature")[^}]*\} 1$/m);
  });
});
