import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twilioSpecDir } from '../src/index.js';
import { accountSid, startSimulator, type Json, type RunningSimulator } from './helpers.js';

const messagesPath = `/api/2010-04-01/Accounts/${accountSid}/Messages.json`;
const twilioError = (code: number, status: number) => ({ code, status, message: expect.any(String), more_info: `https://www.twilio.com/docs/errors/${code}` });

describe('authentication', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(async () => {
    await sim.close();
  });

  it('answers 401 in Twilio error shape for a wrong auth token, a wrong account sid or no credentials', async () => {
    for (const auth of [`${accountSid}:wrong-token`, `AC${'f'.repeat(32)}:sim-test-token`, '']) {
      const { status, json } = await sim.api(messagesPath, { form: { To: '+4791234567', From: '+4790000000', Body: 'x' }, auth });
      expect(status).toBe(401);
      expect(json).toEqual({ ...twilioError(20003, 401), message: 'Authenticate' });
    }
    const taskrouter = await fetch(`${sim.baseUrl}/taskrouter/v1/Workspaces`);
    expect(taskrouter.status).toBe(401);
    expect(sim.state.messages).toHaveLength(0);
  });

  it('answers 404 for another account in the path', async () => {
    const { status, json } = await sim.api(`/api/2010-04-01/Accounts/AC${'f'.repeat(32)}/Messages.json`);
    expect(status).toBe(404);
    expect(json).toEqual(twilioError(20404, 404));
  });

  it('leaves the control API open', async () => {
    expect((await fetch(`${sim.baseUrl}/__sim/requests`)).status).toBe(200);
  });
});

describe('request contract (Twilio OpenAPI specs)', () => {
  let sim: RunningSimulator;
  let workspacePath: string;
  beforeAll(async () => {
    sim = await startSimulator();
    workspacePath = `/taskrouter/v1/Workspaces/${sim.state.defaultWorkspaceSid}`;
  });
  afterAll(async () => {
    await sim.close();
  });

  it('rejects an unknown parameter, naming it', async () => {
    const { status, json } = await sim.api(messagesPath, { form: { To: '+4791234567', From: '+4790000000', Body: 'x', StatusCallbackUrl: 'https://x' } });
    expect(status).toBe(400);
    expect(json).toEqual(twilioError(20001, 400));
    expect(json.message).toContain('StatusCallbackUrl');

    const task = await sim.api(`${workspacePath}/Tasks`, { form: { Attributes: '{}', WorkflowSID: 'WW0' } });
    expect(task.status).toBe(400);
    expect(task.json.message).toContain('WorkflowSID');
  });

  it("rejects a message without To with Twilio's code 21604", async () => {
    const { status, json } = await sim.api(messagesPath, { form: { From: '+4790000000', Body: 'x' } });
    expect(status).toBe(400);
    expect(json).toEqual(twilioError(21604, 400));
  });

  it('rejects a missing required TaskRouter parameter, naming it', async () => {
    const queue = await sim.api(`${workspacePath}/TaskQueues`, { form: { TargetWorkers: '1==1' } });
    expect(queue.status).toBe(400);
    expect(queue.json).toEqual(twilioError(20001, 400));
    expect(queue.json.message).toContain('FriendlyName');

    const workflow = await sim.api(`${workspacePath}/Workflows`, { form: { FriendlyName: 'w' } });
    expect(workflow.json.message).toContain('Configuration');
    const channel = await sim.api(`${workspacePath}/TaskChannels`, { form: { FriendlyName: 'c' } });
    expect(channel.json.message).toContain('UniqueName');
  });

  it('checks TaskQueue and Workflow updates against UpdateTaskQueue and UpdateWorkflow', async () => {
    const queue = await sim.api(`${workspacePath}/TaskQueues`, { form: { FriendlyName: 'q-update' } });
    const unknownParam = await sim.api(`${workspacePath}/TaskQueues/${queue.json.sid}`, { form: { TargetWorker: '1 == 0' } });
    expect(unknownParam.status).toBe(400);
    expect(unknownParam.json).toEqual(twilioError(20001, 400));
    expect(unknownParam.json.message).toContain('TargetWorker');
    const order = await sim.api(`${workspacePath}/TaskQueues/${queue.json.sid}`, { form: { TaskOrder: 'RANDOM' } });
    expect(order.json.message).toMatch(/TaskOrder.*FIFO, LIFO/);

    const configuration = JSON.stringify({ task_routing: { default_filter: { queue: queue.json.sid } } });
    const workflow = await sim.api(`${workspacePath}/Workflows`, { form: { FriendlyName: 'w-update', Configuration: configuration } });
    const timeout = await sim.api(`${workspacePath}/Workflows/${workflow.json.sid}`, { form: { TaskReservationTimeout: 'soon' } });
    expect(timeout.status).toBe(400);
    expect(timeout.json.message).toContain('TaskReservationTimeout');
    const updated = await sim.api(`${workspacePath}/Workflows/${workflow.json.sid}`, { form: { TaskReservationTimeout: '3' } });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ sid: workflow.json.sid, task_reservation_timeout: 3, configuration });
  });

  it('rejects enum values the spec does not list, and malformed integers', async () => {
    const queue = await sim.api(`${workspacePath}/TaskQueues`, { form: { FriendlyName: 'q', TaskOrder: 'RANDOM' } });
    expect(queue.status).toBe(400);
    expect(queue.json.message).toMatch(/TaskOrder.*FIFO, LIFO/);

    const retention = await sim.api(messagesPath, { form: { To: '+4791234567', From: '+4790000000', Body: 'x', ContentRetention: 'forever' } });
    expect(retention.status).toBe(400);
    expect(retention.json.message).toContain('ContentRetention');

    const validity = await sim.api(messagesPath, { form: { To: '+4791234567', From: '+4790000000', Body: 'x', ValidityPeriod: 'soon' } });
    expect(validity.status).toBe(400);
    expect(validity.json.message).toContain('ValidityPeriod');
  });

  it('rejects a single-valued parameter given twice, and accepts repeated array parameters', async () => {
    const twice = await sim.api(messagesPath, { form: { To: ['+4791234567', '+4791234568'], From: '+4790000000', Body: 'x' } });
    expect(twice.status).toBe(400);
    expect(twice.json.message).toContain('To');

    const media = await sim.api(messagesPath, {
      form: { To: '+4791234567', From: '+4790000000', MediaUrl: ['https://a.example/1.png', 'https://a.example/2.png'] },
    });
    expect(media.status).toBe(201);
    expect(media.json).toMatchObject({ num_media: '2' });
    expect(media.json.sid).toMatch(/^MM/);
  });

  it("answers with exactly the fields of Twilio's response schemas", async () => {
    const readSpec = (file: string) => JSON.parse(readFileSync(path.join(twilioSpecDir(), file), 'utf8')) as Json;
    const api2010 = readSpec('twilio_api_v2010.json');
    const taskrouter = readSpec('twilio_taskrouter_v1.json');
    const fieldsOf = (spec: Json, schema: string) => Object.keys(spec.components.schemas[schema].properties).sort();
    const keysOf = (json: Json) => Object.keys(json).sort();

    const message = await sim.api(messagesPath, { form: { To: '+4791234567', From: '+4790000000', Body: 'x' } });
    expect(keysOf(message.json)).toEqual(fieldsOf(api2010, 'api.v2010.account.message'));

    const queue = await sim.api(`${workspacePath}/TaskQueues`, { form: { FriendlyName: 'q' } });
    expect(keysOf(queue.json)).toEqual(fieldsOf(taskrouter, 'taskrouter.v1.workspace.task_queue'));
    const configuration = JSON.stringify({ task_routing: { default_filter: { queue: queue.json.sid } } });
    const workflow = await sim.api(`${workspacePath}/Workflows`, { form: { FriendlyName: 'w', Configuration: configuration } });
    expect(keysOf(workflow.json)).toEqual(fieldsOf(taskrouter, 'taskrouter.v1.workspace.workflow'));
    const task = await sim.api(`${workspacePath}/Tasks`, { form: { Attributes: '{}', WorkflowSid: workflow.json.sid } });
    expect(keysOf(task.json)).toEqual(fieldsOf(taskrouter, 'taskrouter.v1.workspace.task'));
    const channel = await sim.api(`${workspacePath}/TaskChannels`, { form: { FriendlyName: 'c', UniqueName: 'c' } });
    expect(keysOf(channel.json)).toEqual(fieldsOf(taskrouter, 'taskrouter.v1.workspace.task_channel'));
    const worker = await sim.api(`${workspacePath}/Workers`, { form: { FriendlyName: 'w' } });
    expect(keysOf(worker.json)).toEqual(fieldsOf(taskrouter, 'taskrouter.v1.workspace.worker'));
    const workspace = await sim.api(workspacePath);
    expect(keysOf(workspace.json)).toEqual(fieldsOf(taskrouter, 'taskrouter.v1.workspace'));
  });

  it('answers unknown API paths with a Twilio 404', async () => {
    const { status, json } = await sim.api(`/api/2010-04-01/Accounts/${accountSid}/Calls.json`);
    expect(status).toBe(404);
    expect(json).toEqual(twilioError(20404, 404));
  });
});
