import Fastify, { type FastifyInstance } from 'fastify';
import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { classifyTwilioError, completeOrCancelTask, createTask, createTwilioClient, findRecentMessage, LeanTwilioHttpClient, sendSms, type TwilioClient } from '../src/index.js';

const accountSid = 'AC0123456789abcdef0123456789abcdef';
const authToken = 'test-token';
const workspaceSid = 'WS0123456789abcdef0123456789abcdef';
const taskSid = 'WT0123456789abcdef0123456789abcdef';

interface ReceivedRequest {
  method: string;
  url: string;
  authorization: string | undefined;
  connection: string | undefined;
  remotePort: number | undefined;
  form: Record<string, string>;
}

/** A stand-in for the Twilio API that records what the SDK sent and answers with canned JSON. */
describe('createTwilioClient against a local server', () => {
  let server: FastifyInstance;
  let client: TwilioClient;
  let received: ReceivedRequest[] = [];
  let taskStatus = 'pending';

  beforeAll(async () => {
    server = Fastify();
    server.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    server.addHook('onRequest', async (req) => {
      received.push({
        method: req.method,
        url: req.url,
        authorization: req.headers.authorization,
        connection: req.headers.connection,
        remotePort: req.raw.socket.remotePort,
        form: {},
      });
    });
    server.addHook('preHandler', async (req) => {
      const last = received[received.length - 1];
      if (last && req.body) last.form = req.body as Record<string, string>;
    });
    server.post('/api/2010-04-01/Accounts/:accountSid/Messages.json', async (req, reply) => {
      const form = req.body as Record<string, string>;
      if (form.To === '+15005550001') {
        return reply.code(400).send({ code: 21211, message: "The 'To' number is not valid.", more_info: '', status: 400 });
      }
      if (form.Body === 'slow') await new Promise((r) => setTimeout(r, 1500));
      if (form.Body === 'drop') {
        req.raw.socket.destroy();
        return reply;
      }
      return reply.code(201).send({ sid: 'SM0123456789abcdef0123456789abcdef', status: 'queued', to: form.To, from: form.From, body: form.Body });
    });
    server.get('/api/2010-04-01/Accounts/:accountSid/Messages.json', async (req) => {
      const query = req.query as Record<string, string>;
      const message = { sid: 'SM0123456789abcdef0123456789abcdef', status: 'delivered', from: query.From, to: query.To, body: 'hello & bye', date_created: 'Sat, 21 Nov 2026 09:00:00 +0000' };
      return { messages: [message], page: 0, page_size: 50, next_page_uri: null, uri: req.url };
    });
    server.post('/taskrouter/v1/Workspaces/:ws/Tasks', async (_req, reply) => reply.code(201).send({ sid: taskSid, assignment_status: 'pending' }));
    server.get('/taskrouter/v1/Workspaces/:ws/Tasks/:sid', async () => ({ sid: taskSid, assignment_status: taskStatus }));
    server.post('/taskrouter/v1/Workspaces/:ws/Tasks/:sid', async (req) => {
      taskStatus = (req.body as Record<string, string>).AssignmentStatus ?? taskStatus;
      return { sid: taskSid, assignment_status: taskStatus };
    });
    const address = await server.listen({ host: '127.0.0.1', port: 0 });
    client = createTwilioClient({ accountSid, authToken, apiBaseUrl: address, timeoutMs: 2000 });
  });

  afterAll(async () => {
    await server.close();
  });

  beforeEach(() => {
    received = [];
    taskStatus = 'pending';
  });

  it('sends messages to <base>/api/... with basic auth and the form fields Twilio expects', async () => {
    const sent = await sendSms(client, {
      from: '+4790000000',
      to: '+4791234567',
      body: 'How did we do? Reply 1-5',
      statusCallback: 'https://gw.example.com/twilio/status?commandId=abc',
      validityPeriodSeconds: 600,
    });
    expect(sent).toEqual({ sid: 'SM0123456789abcdef0123456789abcdef', status: 'queued', from: '+4790000000' });
    expect(received).toHaveLength(1);
    const request = received[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe(`/api/2010-04-01/Accounts/${accountSid}/Messages.json`);
    expect(request.authorization).toBe(`Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`);
    expect(request.form).toEqual({
      From: '+4790000000',
      To: '+4791234567',
      Body: 'How did we do? Reply 1-5',
      StatusCallback: 'https://gw.example.com/twilio/status?commandId=abc',
      ValidityPeriod: '600',
    });
  });

  it('reuses the connection (keep-alive)', async () => {
    await sendSms(client, { from: '+4790000000', to: '+4791234567', body: 'one' });
    await sendSms(client, { from: '+4790000000', to: '+4791234567', body: 'two' });
    expect(received.map((r) => r.connection)).toEqual(['keep-alive', 'keep-alive']);
    expect(received[0]!.remotePort).toBe(received[1]!.remotePort);
  });

  it('surfaces API errors as RestException that classifyTwilioError understands', async () => {
    const error = await sendSms(client, { from: '+4790000000', to: '+15005550001', body: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(twilio.RestException);
    expect(error).toMatchObject({ status: 400, code: 21211, message: "The 'To' number is not valid." });
    expect(classifyTwilioError(error)).toMatchObject({ code: 21211, status: 400, kind: 'permanent' });
  });

  it('creates a task with JSON attributes and cancels a pending one', async () => {
    const task = await createTask(client, workspaceSid, {
      workflowSid: 'WW0123456789abcdef0123456789abcdef',
      taskChannel: 'sms',
      attributes: { surveyId: 's1', score: 2 },
      priority: 10,
      timeout: 3600,
    });
    expect(task).toEqual({ sid: taskSid });
    expect(received[0]!.url).toBe(`/taskrouter/v1/Workspaces/${workspaceSid}/Tasks`);
    expect(received[0]!.form).toEqual({
      WorkflowSid: 'WW0123456789abcdef0123456789abcdef',
      TaskChannel: 'sms',
      Attributes: '{"surveyId":"s1","score":2}',
      Priority: '10',
      Timeout: '3600',
    });

    const ended = await completeOrCancelTask(client, workspaceSid, taskSid, 'customer answered');
    expect(ended).toEqual({ sid: taskSid, assignmentStatus: 'canceled' });
    expect(received[2]!.form).toEqual({ AssignmentStatus: 'canceled', Reason: 'customer answered' });
  });

  it('completes an assigned task instead of canceling it, and leaves an ended task alone', async () => {
    taskStatus = 'assigned';
    expect(await completeOrCancelTask(client, workspaceSid, taskSid, 'done')).toEqual({ sid: taskSid, assignmentStatus: 'completed' });
    expect(received[1]!.form).toEqual({ AssignmentStatus: 'completed', Reason: 'done' });

    received = [];
    expect(await completeOrCancelTask(client, workspaceSid, taskSid, 'again')).toEqual({ sid: taskSid, assignmentStatus: 'completed' });
    expect(received.map((r) => r.method)).toEqual(['GET']);
  });

  it('sends list filters as query parameters and reads the page', async () => {
    const found = await findRecentMessage(client, { from: '+4790000000', to: '+4791234567', body: 'hello & bye', createdAfter: new Date('2026-11-21T08:00:00Z') });
    expect(found).toEqual({ sid: 'SM0123456789abcdef0123456789abcdef', status: 'delivered', from: '+4790000000' });
    const url = new URL(received[0]!.url, 'http://x');
    expect(received[0]!.method).toBe('GET');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ From: '+4790000000', To: '+4791234567', PageSize: '50' });
  });

  it('uses the lean http client, not the SDK axios client', () => {
    expect(client.httpClient).toBeInstanceOf(LeanTwilioHttpClient);
  });

  it('gives up on a request that outlives its timeout, as a retryable network error', async () => {
    const impatient = createTwilioClient({ accountSid, authToken, apiBaseUrl: server.listeningOrigin, timeoutMs: 300 });
    const started = Date.now();
    const error = await sendSms(impatient, { from: '+4790000000', to: '+4791234567', body: 'slow' }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1200);
    expect(classifyTwilioError(error)).toMatchObject({ kind: 'retryable', reason: 'network error: ECONNABORTED' });
  });

  it('reports a connection dropped before the answer as a retryable network error', async () => {
    const error = await sendSms(client, { from: '+4790000000', to: '+4791234567', body: 'drop' }).catch((e: unknown) => e);
    expect(classifyTwilioError(error)).toMatchObject({ kind: 'retryable' });
    // The pool recovers: the next request gets a fresh connection.
    expect(await sendSms(client, { from: '+4790000000', to: '+4791234567', body: 'after' })).toMatchObject({ status: 'queued' });
  });

  it('reports a refused connection as a retryable network error', async () => {
    const unreachable = createTwilioClient({ accountSid, authToken, apiBaseUrl: 'http://127.0.0.1:1', timeoutMs: 1000 });
    const error = await sendSms(unreachable, { from: '+4790000000', to: '+4791234567', body: 'x' }).catch((e: unknown) => e);
    expect(classifyTwilioError(error)).toMatchObject({ kind: 'retryable', reason: 'network error: ECONNREFUSED' });
  });
});
