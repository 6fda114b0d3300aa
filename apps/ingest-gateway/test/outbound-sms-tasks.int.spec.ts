import type { FastifyInstance } from 'fastify';
import type { SurveyDefinitionRepository } from '@sms-survey/db';
import type { EventProducer } from '@sms-survey/kafka';
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN, createMetricsRegistry } from '@sms-survey/service-kit';
import { silentLogger } from '@sms-survey/testing';
import { createTwilioClient, type TwilioClient } from '@sms-survey/twilio';
import { buildSimulator, type Simulator } from '@sms-survey/twilio-simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOutboundSmsTasks, OUTBOUND_NOT_CONFIGURED, type OutboundSmsTasksOptions } from '../src/api/outbound-sms-tasks.js';
import { buildGateway, loadGatewayConfig } from '../src/index.js';

const API_KEY = 'test-api-key-outbound-0123';
const AGENT_PHONE = '+18885551212';
const SHARED_PHONE = '+18885550001';
const CUSTOMER = '+4791234567';

describe('POST /v1/flex/outbound-sms-tasks (gateway + Twilio simulator)', () => {
  let simulator: Simulator;
  let twilio: TwilioClient;
  let workspaceSid: string;
  let agentSid: string;
  const apps: FastifyInstance[] = [];

  async function gateway(options: Partial<OutboundSmsTasksOptions> = {}) {
    const app = await buildGateway({
      logger: silentLogger(),
      producer: {} as EventProducer,
      registry: createMetricsRegistry('ingest-gateway'),
      readiness: [],
      publicBaseUrl: 'https://surveys.example.com',
      twilioAuthTokens: [SIMULATOR_AUTH_TOKEN],
      maxBodyBytes: 64 * 1024,
      apiKeys: [API_KEY],
      surveys: {} as SurveyDefinitionRepository,
      suppressions: { isSuppressed: async () => false },
      outboundSmsTasks: createOutboundSmsTasks({ twilio, logger: silentLogger(), simulated: true, taskChannel: 'sms', ...options }),
    });
    apps.push(app);
    return (body: unknown, key = API_KEY) =>
      app.inject({ method: 'POST', url: '/v1/flex/outbound-sms-tasks', headers: { authorization: `Bearer ${key}` }, payload: body as object });
  }

  beforeAll(async () => {
    simulator = buildSimulator({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN });
    const url = await simulator.app.listen({ host: '127.0.0.1', port: 0 });
    twilio = createTwilioClient({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN, apiBaseUrl: url, timeoutMs: 3000 });
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

  it('needs the API key', async () => {
    const post = await gateway();
    expect((await post({ fromNumber: AGENT_PHONE, toName: 'Kari', toNumber: CUSTOMER }, 'wrong-key-0000000')).statusCode).toBe(401);
  });

  it('answers 503 when Twilio is unavailable, and when a real account has no workflow configured', async () => {
    const post = await gateway();
    simulator.state.apiFaults.push({ status: 503, code: 20503, message: 'Service unavailable', pathContains: '/Interactions', remaining: 1 });
    const unavailable = await post({ fromNumber: AGENT_PHONE, toName: 'Kari', toNumber: CUSTOMER });
    expect(unavailable.statusCode).toBe(503);
    expect(unavailable.json().error).toMatch(/^cannot create the interaction: Twilio is unavailable right now/);

    const unconfigured = await gateway({ simulated: false });
    const res = await unconfigured({ fromNumber: AGENT_PHONE, toName: 'Kari', toNumber: CUSTOMER });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toBe(OUTBOUND_NOT_CONFIGURED);
  });

  it('reads FLEX_OUTBOUND_WORKFLOW_SID, TWILIO_WORKSPACE_SID and FLEX_OUTBOUND_TASK_CHANNEL from the environment', () => {
    const config = loadGatewayConfig({ FLEX_OUTBOUND_WORKFLOW_SID: `WW${'a'.repeat(32)}`, TWILIO_WORKSPACE_SID: `WS${'b'.repeat(32)}` });
    expect(config).toMatchObject({ FLEX_OUTBOUND_WORKFLOW_SID: `WW${'a'.repeat(32)}`, TWILIO_WORKSPACE_SID: `WS${'b'.repeat(32)}`, FLEX_OUTBOUND_TASK_CHANNEL: 'sms' });
    expect(() => loadGatewayConfig({ FLEX_OUTBOUND_WORKFLOW_SID: 'WW1' })).toThrow(/FLEX_OUTBOUND_WORKFLOW_SID: must be a workflow sid/);
  });
});
