import { classifyTwilioError, createOutboundSmsInteraction, ensureOutboundSmsWorkflow, findWorkersByPhone } from '@sms-survey/twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Json, type RunningSimulator } from './helpers.js';

const AGENT_PHONE = '+18885551212';
const CUSTOMER = '+4791234567';

describe('Flex Interactions API (agent-initiated SMS)', () => {
  let sim: RunningSimulator;
  let workspaceSid: string;

  beforeAll(async () => {
    sim = await startSimulator();
    workspaceSid = sim.state.defaultWorkspaceSid;
  });

  afterAll(async () => {
    await sim.close();
  });

  beforeEach(async () => {
    await fetch(`${sim.baseUrl}/__sim/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"all":true}' });
  });

  const channel = { type: 'sms', initiated_by: 'agent', participants: [{ address: CUSTOMER, proxy_address: AGENT_PHONE }] };
  const routing = (workflowSid: string, attributes: Json = { targetWorkerPhone: AGENT_PHONE }) => ({
    properties: { workspace_sid: workspaceSid, workflow_sid: workflowSid, task_channel_unique_name: 'sms', attributes },
  });

  it('ensures the "Match Worker" workflow of seed 003 once', async () => {
    const first = await ensureOutboundSmsWorkflow(sim.client, workspaceSid);
    expect(first.created).toHaveLength(2);
    const second = await ensureOutboundSmsWorkflow(sim.client, workspaceSid);
    expect(second).toEqual({ workflowSid: first.workflowSid, queueSid: first.queueSid, created: [] });
    const config = JSON.parse(sim.state.workflows.find((w) => w.sid === first.workflowSid)!.configuration);
    expect(config.task_routing.filters[0]).toMatchObject({
      expression: 'targetWorkerPhone != null',
      targets: [{ queue: first.queueSid, expression: 'task.targetWorkerPhone == worker.phone' }],
    });
  });

  it('creates an interaction: a conversation between the numbers and a task with the routing attributes', async () => {
    const { workflowSid } = await ensureOutboundSmsWorkflow(sim.client, workspaceSid);
    const created = await createOutboundSmsInteraction(sim.client, { workspaceSid, workflowSid, fromNumber: AGENT_PHONE, toNumber: CUSTOMER, toName: 'Kari Nordmann' });
    expect(created.interactionSid).toMatch(/^KD[0-9a-f]{32}$/);
    expect(created.channelSid).toMatch(/^UO[0-9a-f]{32}$/);
    expect(created.taskSid).toMatch(/^WT[0-9a-f]{32}$/);
    expect(created.conversationSid).toMatch(/^CH[0-9a-f]{32}$/);

    const task = sim.state.tasks.find((t) => t.sid === created.taskSid)!;
    expect(task).toMatchObject({ workflowSid, taskChannelUniqueName: 'sms', assignmentStatus: 'pending', workspaceSid });
    expect(JSON.parse(task.attributes)).toMatchObject({
      targetWorkerPhone: AGENT_PHONE,
      autoAnswer: true,
      name: 'Kari Nordmann',
      customerName: 'Kari Nordmann',
      customerAddress: CUSTOMER,
      conversationSid: created.conversationSid,
      flexInteractionSid: created.interactionSid,
      flexInteractionChannelSid: created.channelSid,
      direction: 'outbound',
      initiatedBy: 'agent',
      conversations: { initiated_by: 'Agent', direction: 'Outbound', communication_channel: 'Sms' },
    });
    expect(sim.state.conversations).toEqual([
      expect.objectContaining({ sid: created.conversationSid, participants: [{ address: CUSTOMER, proxyAddress: AGENT_PHONE }], state: 'active' }),
    ]);

    const fetched = await sim.client.flexApi.v1.interaction(created.interactionSid).fetch();
    expect(fetched.sid).toBe(created.interactionSid);
    expect((fetched.routing as Json).properties.sid).toBe(created.taskSid);
  });

  it('answers like the published spec: the Channel parameter is required, unknown parameters are refused', async () => {
    const { workflowSid } = await ensureOutboundSmsWorkflow(sim.client, workspaceSid);
    const missing = await sim.api('/flex-api/v1/Interactions', { form: { Routing: JSON.stringify(routing(workflowSid)) } });
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({ code: 20001, message: 'Missing required parameter Channel in the post body' });
    const unknown = await sim.api('/flex-api/v1/Interactions', { form: { Channel: JSON.stringify(channel), Routing: JSON.stringify(routing(workflowSid)), Priority: '3' } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.message).toBe('Unknown parameter Priority for CreateInteraction');
    const badSid = await sim.api('/flex-api/v1/Interactions', { form: { Channel: JSON.stringify(channel), InteractionContextSid: 'HQ1' } });
    expect(badSid.status).toBe(400);
    expect(sim.state.tasks).toHaveLength(0);
  });

  it('rejects what Twilio would: no proxy address, a bad address, an unknown workspace or workflow', async () => {
    const { workflowSid } = await ensureOutboundSmsWorkflow(sim.client, workspaceSid);
    const attempt = (c: Json, r: Json) => sim.client.flexApi.v1.interaction.create({ channel: c, routing: r }).catch((e: unknown) => e);
    const cases: [Json, Json, RegExp][] = [
      [{ ...channel, participants: [{ address: CUSTOMER }] }, routing(workflowSid), /proxy_address is required/],
      [{ ...channel, participants: [{ address: '12345', proxy_address: AGENT_PHONE }] }, routing(workflowSid), /address 12345 is not a valid sms address/],
      [{ ...channel, type: 'voice' }, routing(workflowSid), /Channel.type must be one of/],
      [channel, { properties: { ...routing(workflowSid).properties, workspace_sid: 'WS0' } }, /workspace_sid WS0 is not a workspace/],
      [channel, routing('WW0123456789abcdef0123456789abcdef'), /Workflow WW0123456789abcdef0123456789abcdef not found/],
    ];
    for (const [c, r, message] of cases) {
      const error = await attempt(c, r);
      expect(classifyTwilioError(error)).toMatchObject({ status: 400, code: 20001, kind: 'permanent' });
      expect((error as Error).message).toMatch(message);
    }
    expect(sim.state.interactions).toHaveLength(0);
  });

  it('finds workers by their phone attribute', async () => {
    const ws = sim.client.taskrouter.v1.workspaces(workspaceSid);
    const alice = await ws.workers.create({ friendlyName: 'alice', attributes: JSON.stringify({ phone: AGENT_PHONE, skills: ['sms'] }) });
    await ws.workers.create({ friendlyName: 'bob', attributes: JSON.stringify({ phone: '+18885550000' }) });
    await ws.workers.create({ friendlyName: 'carol', attributes: '{}' });
    expect(await findWorkersByPhone(sim.client, workspaceSid, AGENT_PHONE)).toEqual([{ sid: alice.sid, friendlyName: 'alice' }]);
    expect(await findWorkersByPhone(sim.client, workspaceSid, '+18885559999')).toEqual([]);
  });
});
