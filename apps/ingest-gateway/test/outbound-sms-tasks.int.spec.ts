import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { SurveyDefinitionRepository } from '@sms-survey/db';
import type { EventProducer } from '@sms-survey/kafka';
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN, createMetricsRegistry } from '@sms-survey/service-kit';
import { silentLogger } from '@sms-survey/testing';
import { createTwilioClient, type TwilioClient } from '@sms-survey/twilio';
import { buildSimulator, type Simulator } from '@sms-survey/twilio-simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createOutboundSmsTasks,
  OUTBOUND_NOT_CONFIGURED,
  OUTBOUND_SMS_TASK_OUTCOMES,
  type OutboundSmsTasks,
  type OutboundSmsTasksOptions,
} from '../src/api/outbound-sms-tasks.js';
import { buildGateway, loadGatewayConfig } from '../src/index.js';
import { OUTBOUND_SMS_TASK_ANSWERS, OUTBOUND_SMS_TASK_ROUTE_SCHEMA } from '../src/routes/flex-outbound-sms.js';

const API_KEY = 'test-api-key-outbound-0123';
const AGENT_PHONE = '+18885551212';
const SHARED_PHONE = '+18885550001';
const CUSTOMER = '+4791234567';

describe('POST /v1/flex/outbound-sms-tasks (gateway + Twilio simulator)', () => {
  let simulator: Simulator;
  let twilio: TwilioClient;
  let twilioUrl: string;
  let workspaceSid: string;
  let agentSid: string;
  const apps: FastifyInstance[] = [];

  /** `gateway_outbound_sms_tasks_total` by outcome, only the non-zero ones. */
  async function outcomesOf(registry: Registry): Promise<Record<string, number>> {
    const metric = await registry.getSingleMetric('gateway_outbound_sms_tasks_total')!.get();
    return Object.fromEntries(metric.values.filter((v) => v.value > 0).map((v) => [String(v.labels.outcome), v.value]));
  }

  async function gateway(options: Partial<OutboundSmsTasksOptions> = {}, tasks?: OutboundSmsTasks) {
    const registry = createMetricsRegistry('ingest-gateway');
    const app = await buildGateway({
      logger: silentLogger(),
      producer: {} as EventProducer,
      registry,
      readiness: [],
      publicBaseUrl: 'https://surveys.example.com',
      twilioAuthTokens: [SIMULATOR_AUTH_TOKEN],
      maxBodyBytes: 64 * 1024,
      apiKeys: [API_KEY],
      surveys: {} as SurveyDefinitionRepository,
      suppressions: { isSuppressed: async () => false },
      outboundSmsTasks: tasks ?? createOutboundSmsTasks({ twilio, logger: silentLogger(), simulated: true, taskChannel: 'sms', ...options }),
    });
    apps.push(app);
    const post = (body: unknown, key = API_KEY) =>
      app.inject({ method: 'POST', url: '/v1/flex/outbound-sms-tasks', headers: { authorization: `Bearer ${key}` }, payload: body as object });
    return Object.assign(post, {
      app,
      outcomes: () => outcomesOf(registry),
      raw: (payload: string, contentType: string) =>
        app.inject({ method: 'POST', url: '/v1/flex/outbound-sms-tasks', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': contentType }, payload }),
    });
  }

  const kari = { fromNumber: AGENT_PHONE, toName: 'Kari', toNumber: CUSTOMER };
  const fault = (status: number, code: number, pathContains: string) =>
    simulator.state.apiFaults.push({ status, code, message: `simulated ${status}`, pathContains, remaining: 1 });

  beforeAll(async () => {
    simulator = buildSimulator({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN });
    twilioUrl = await simulator.app.listen({ host: '127.0.0.1', port: 0 });
    twilio = createTwilioClient({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN, apiBaseUrl: twilioUrl, timeoutMs: 3000 });
    workspaceSid = simulator.state.defaultWorkspaceSid;
    const workers = twilio.taskrouter.v1.workspaces(workspaceSid).workers;
    agentSid = (await workers.create({ friendlyName: 'alice', attributes: JSON.stringify({ phone: AGENT_PHONE, contact_uri: 'client:alice' }) })).sid;
    await workers.create({ friendlyName: 'bob', attributes: JSON.stringify({ phone: SHARED_PHONE }) });
    await workers.create({ friendlyName: 'carol', attributes: JSON.stringify({ phone: SHARED_PHONE }) });
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await simulator?.app.close();
  });

  beforeEach(() => {
    simulator.state.tasks.length = 0;
    simulator.state.interactions.length = 0;
    simulator.state.apiFaults.length = 0;
  });

  it('creates an interaction whose task only the agent with that phone gets, auto-answered, named after the customer', async () => {
    const post = await gateway();
    const res = await post({ fromNumber: AGENT_PHONE, toName: 'Kari Nordmann', toNumber: CUSTOMER });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ workerSid: agentSid, workspaceSid });
    expect(body.interactionSid).toMatch(/^KD[0-9a-f]{32}$/);
    expect(body.interactionChannelSid).toMatch(/^UO[0-9a-f]{32}$/);
    expect(body.taskSid).toMatch(/^WT[0-9a-f]{32}$/);
    expect(body.conversationSid).toMatch(/^CH[0-9a-f]{32}$/);

    const task = simulator.state.tasks.find((t) => t.sid === body.taskSid)!;
    expect(task).toMatchObject({ workflowSid: body.workflowSid, taskChannelUniqueName: 'sms' });
    expect(JSON.parse(task.attributes)).toMatchObject({
      targetWorkerPhone: AGENT_PHONE,
      targetWorkerSid: agentSid,
      autoAnswer: true,
      name: 'Kari Nordmann',
      customerAddress: CUSTOMER,
      conversationSid: body.conversationSid,
    });
    // Against the simulator, seed 003's "Match Worker" workflow is created on first use.
    const workflow = simulator.state.workflows.find((w) => w.sid === body.workflowSid)!;
    expect(workflow.friendlyName).toBe('Match Worker');
    expect(workflow.configuration).toContain('task.targetWorkerPhone == worker.phone');
    expect(simulator.state.conversations.find((c) => c.sid === body.conversationSid)?.participants).toEqual([{ address: CUSTOMER, proxyAddress: AGENT_PHONE }]);
    // What was sent to Twilio, as the Interactions API expects it.
    const sent = simulator.state.requests.find((r) => r.path === '/flex-api/v1/Interactions')!;
    expect(JSON.parse(sent.params.Channel as string)).toEqual({ type: 'sms', initiated_by: 'agent', participants: [{ address: CUSTOMER, proxy_address: AGENT_PHONE }] });
    expect(JSON.parse(sent.params.Routing as string).properties).toMatchObject({ workspace_sid: workspaceSid, workflow_sid: body.workflowSid, task_channel_unique_name: 'sms' });
  });

  it('uses the configured workflow as it is', async () => {
    const ws = twilio.taskrouter.v1.workspaces(workspaceSid);
    const queue = await ws.taskQueues.create({ friendlyName: 'Outbound', targetWorkers: '1 == 1' });
    const workflow = await ws.workflows.create({ friendlyName: 'Outbound', configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: queue.sid } } }) });
    const post = await gateway({ workflowSid: workflow.sid, workspaceSid });
    const res = await post({ fromNumber: AGENT_PHONE, toName: 'Ola', toNumber: CUSTOMER });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().workflowSid).toBe(workflow.sid);
  });

  it('answers 422 naming fromNumber when no worker has it, 409 when several do', async () => {
    const post = await gateway();
    const unknown = await post({ fromNumber: '+18885559999', toName: 'Kari', toNumber: CUSTOMER });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error).toBe(`fromNumber +18885559999: no worker in workspace ${workspaceSid} has it as their "phone" attribute`);
    const shared = await post({ fromNumber: SHARED_PHONE, toName: 'Kari', toNumber: CUSTOMER });
    expect(shared.statusCode).toBe(409);
    expect(shared.json().error).toMatch(/^fromNumber \+18885550001: 2 workers have it/);
    expect(simulator.state.interactions).toHaveLength(0);
  });

  it('answers 400 naming each bad field: numbers not E.164, a landline customer, a missing name', async () => {
    const post = await gateway();
    const res = await post({ fromNumber: '555-1212', toNumber: '+4722123456', toName: '  ' });
    expect(res.statusCode).toBe(400);
    const { problems } = res.json() as { problems: string[] };
    expect(problems).toEqual([
      expect.stringMatching(/^fromNumber: must be an E\.164 phone number/),
      expect.stringMatching(/^toName: /),
      'toNumber: +4722123456 is a fixed-line (landline) number (NO); an SMS conversation needs a mobile number',
    ]);
    expect(simulator.state.interactions).toHaveLength(0);
  });

  it('needs the API key: 401, counted as unauthorized', async () => {
    const post = await gateway();
    const res = await post(kari, 'wrong-key-0000000');
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(await post.outcomes()).toEqual({ unauthorized: 1 });
  });

  it('answers 400, 413 and 415 for a body it cannot take, each counted as invalid', async () => {
    const post = await gateway();
    const notJson = await post.raw('{"fromNumber":', 'application/json');
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error).toMatch(/^body is not valid JSON/);
    const tooLarge = await post.raw(JSON.stringify({ ...kari, toName: 'x'.repeat(70 * 1024) }), 'application/json');
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json()).toEqual({ error: 'body is too large' });
    const xml = await post.raw('<task/>', 'application/xml');
    expect(xml.statusCode).toBe(415);
    const fields = await post({ fromNumber: AGENT_PHONE });
    expect(fields.statusCode).toBe(400);
    expect(fields.json().problems).toEqual([expect.stringMatching(/^toName: /), expect.stringMatching(/^toNumber: /)]);
    expect(await post.outcomes()).toEqual({ invalid: 4 });
    expect(simulator.state.interactions).toHaveLength(0);
  });

  it('answers 422 with Twilio\'s message when Twilio rejects the interaction: a 400, or a 404 for what the request names', async () => {
    const post = await gateway();
    fault(400, 20001, '/Interactions');
    const rejected = await post(kari);
    expect(rejected.statusCode).toBe(422);
    expect(rejected.json().error).toBe('cannot create the interaction: Twilio rejected the request: simulated 400 (Twilio error 20001)');

    fault(404, 20404, '/Interactions');
    const notFound = await post(kari);
    expect(notFound.statusCode).toBe(422);
    expect(notFound.json().error).toMatch(/^cannot create the interaction: Twilio rejected the request: simulated 404 \(Twilio error 20404\); is fromNumber a number of this Twilio account/);
    expect(await post.outcomes()).toEqual({ 'twilio-rejected': 2 });
  });

  it('answers 502 when Twilio refuses our credentials, when what we configured does not exist, and for other Twilio refusals', async () => {
    const post = await gateway();
    fault(401, 20003, '/Interactions');
    const auth = await post(kari);
    expect(auth.statusCode).toBe(502);
    expect(auth.json().error).toMatch(/^cannot create the interaction: Twilio refused the gateway's credentials \(authentication failed .*\(Twilio error 20003\)\); check TWILIO_ACCOUNT_SID/);
    fault(403, 20403, '/Workers');
    const forbidden = await post(kari);
    expect(forbidden.statusCode).toBe(502);
    expect(forbidden.json().error).toMatch(/^cannot list the TaskRouter workers: request rejected \(HTTP 403\)/);
    expect(await post.outcomes()).toEqual({ 'twilio-auth-failed': 1, 'twilio-error': 1 });

    // A wrong auth token: the first call (finding the simulator's workflow) is refused.
    const wrongToken = createTwilioClient({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: 'not-the-token', apiBaseUrl: twilioUrl, timeoutMs: 3000 });
    const unauthenticated = await gateway({ twilio: wrongToken });
    expect((await unauthenticated(kari)).statusCode).toBe(502);
    expect(await unauthenticated.outcomes()).toEqual({ 'twilio-auth-failed': 1 });

    const unknownWorkflow = await gateway({ workflowSid: `WW${'0'.repeat(32)}`, workspaceSid });
    const workflow = await unknownWorkflow(kari);
    expect(workflow.statusCode).toBe(502);
    expect(workflow.json().error).toMatch(/^cannot resolve the outbound SMS workflow: FLEX_OUTBOUND_WORKFLOW_SID WW0{32} is not a workflow of workspace WS\w+ \(check it and TWILIO_WORKSPACE_SID\)/);
    const unknownWorkspace = await gateway({ workspaceSid: `WS${'0'.repeat(32)}` });
    expect((await unknownWorkspace(kari)).json().error).toMatch(/^cannot resolve the outbound SMS workflow: /);
    const unknownChannel = await gateway({ taskChannel: 'pigeon' });
    const channel = await unknownChannel(kari);
    expect(channel.statusCode).toBe(502);
    expect(channel.json().error).toMatch(/^cannot resolve the outbound SMS task channel: FLEX_OUTBOUND_TASK_CHANNEL "pigeon" is not a task channel of workspace WS\w+/);
    for (const g of [unknownWorkflow, unknownWorkspace, unknownChannel]) expect(await g.outcomes()).toEqual({ misconfigured: 1 });
    expect(simulator.state.interactions).toHaveLength(0);
  });

  it('answers 503 with Retry-After when Twilio is unavailable, and 503 when a real account has no workflow configured', async () => {
    const post = await gateway();
    fault(503, 20503, '/Interactions');
    const unavailable = await post(kari);
    expect(unavailable.statusCode).toBe(503);
    expect(unavailable.headers['retry-after']).toBe('5');
    expect(unavailable.json().error).toMatch(/^cannot create the interaction: Twilio is unavailable right now/);
    fault(429, 20429, '/Workers');
    const tooMany = await post(kari);
    expect(tooMany.statusCode).toBe(503);
    expect(tooMany.json().error).toMatch(/^cannot list the TaskRouter workers: Twilio is unavailable right now \(too many requests/);
    expect(await post.outcomes()).toEqual({ 'twilio-unavailable': 2 });

    const unconfigured = await gateway({ simulated: false });
    const res = await unconfigured(kari);
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toBe(OUTBOUND_NOT_CONFIGURED);
    expect(await unconfigured.outcomes()).toEqual({ 'not-configured': 1 });
  });

  it('answers 500 with a request id for a fault of its own, counted as error', async () => {
    const post = await gateway({}, { create: () => Promise.reject(new TypeError('a bug')) });
    const res = await post(kari);
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'internal error', requestId: expect.any(String) });
    expect(await post.outcomes()).toEqual({ error: 1 });
  });

  it('counts every answer under one name each, the same names the docs and the route schema give', async () => {
    const post = await gateway();
    expect((await post(kari)).statusCode).toBe(201);
    expect((await post({ ...kari, fromNumber: '+18885559999' })).statusCode).toBe(422);
    expect((await post({ ...kari, fromNumber: SHARED_PHONE })).statusCode).toBe(409);
    expect(await post.outcomes()).toEqual({ created: 1, 'no-worker': 1, 'several-workers': 1 });
    // Every outcome is exported from the start (at 0), and no label is a status code.
    const metric = await post.app.inject({ method: 'GET', url: '/metrics' });
    const labels = [...metric.body.matchAll(/^gateway_outbound_sms_tasks_total\{.*\boutcome="([^"]+)"/gm)].map((m) => m[1]);
    expect(labels.sort()).toEqual([...OUTBOUND_SMS_TASK_OUTCOMES].sort());

    expect(new Set(OUTBOUND_SMS_TASK_ANSWERS.map((a) => a.outcome))).toEqual(new Set(OUTBOUND_SMS_TASK_OUTCOMES));
    expect(Object.keys(OUTBOUND_SMS_TASK_ROUTE_SCHEMA.response).map(Number)).toEqual([201, 400, 401, 409, 413, 415, 422, 500, 502, 503]);
    const docs = readFileSync(new URL('../../../docs/flex.md', import.meta.url), 'utf8');
    const section = docs.slice(docs.indexOf('## Outbound SMS tasks for agents'));
    for (const { status, outcome } of OUTBOUND_SMS_TASK_ANSWERS) expect(section).toMatch(new RegExp(`\\| ${status} \\| \`${outcome}\` \\|`));
  });

  it('reads FLEX_OUTBOUND_WORKFLOW_SID, TWILIO_WORKSPACE_SID and FLEX_OUTBOUND_TASK_CHANNEL from the environment', () => {
    const config = loadGatewayConfig({ FLEX_OUTBOUND_WORKFLOW_SID: `WW${'a'.repeat(32)}`, TWILIO_WORKSPACE_SID: `WS${'b'.repeat(32)}` });
    expect(config).toMatchObject({ FLEX_OUTBOUND_WORKFLOW_SID: `WW${'a'.repeat(32)}`, TWILIO_WORKSPACE_SID: `WS${'b'.repeat(32)}`, FLEX_OUTBOUND_TASK_CHANNEL: 'sms' });
    expect(() => loadGatewayConfig({ FLEX_OUTBOUND_WORKFLOW_SID: 'WW1' })).toThrow(/FLEX_OUTBOUND_WORKFLOW_SID: must be a workflow sid/);
  });
});
