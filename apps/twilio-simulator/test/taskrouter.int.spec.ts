import { classifyTwilioError, completeOrCancelTask, createTask } from '@sms-survey/twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from './helpers.js';

describe('TaskRouter API', () => {
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

  const workspace = () => sim.client.taskrouter.v1.workspaces(workspaceSid);

  async function provisionSurveyRouting() {
    const queue = await workspace().taskQueues.create({ friendlyName: 'Survey follow-up', targetWorkers: 'skills HAS "survey"' });
    const workflow = await workspace().workflows.create({
      friendlyName: 'Survey follow-up',
      configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: queue.sid } } }),
      taskReservationTimeout: 300,
    });
    return { queue, workflow };
  }

  it('has a default workspace with the standard task channels', async () => {
    const workspaces = await sim.client.taskrouter.v1.workspaces.list();
    expect(workspaces.map((w) => w.sid)).toEqual([workspaceSid]);
    expect(workspaceSid).toMatch(/^WS[0-9a-f]{32}$/);
    expect(await workspace().fetch()).toMatchObject({ sid: workspaceSid, defaultActivityName: 'Offline' });
    const channels = await workspace().taskChannels.list();
    expect(channels.map((c) => c.uniqueName)).toEqual(['default', 'voice', 'chat', 'sms', 'video', 'email']);
  });

  it('creates and lists task queues, filtering by FriendlyName', async () => {
    const created = await workspace().taskQueues.create({ friendlyName: 'Survey follow-up', targetWorkers: 'skills HAS "survey"' });
    await workspace().taskQueues.create({ friendlyName: 'Other' });
    expect(created).toMatchObject({ friendlyName: 'Survey follow-up', targetWorkers: 'skills HAS "survey"', taskOrder: 'FIFO', workspaceSid });
    expect(created.sid).toMatch(/^WQ[0-9a-f]{32}$/);
    expect((await workspace().taskQueues.list()).map((q) => q.friendlyName)).toEqual(['Survey follow-up', 'Other']);
    expect((await workspace().taskQueues.list({ friendlyName: 'Survey follow-up' })).map((q) => q.sid)).toEqual([created.sid]);
    expect(await workspace().taskQueues(created.sid).fetch()).toMatchObject({ sid: created.sid });
  });

  it('creates and lists workflows, channels and workers', async () => {
    const { workflow, queue } = await provisionSurveyRouting();
    expect(workflow.sid).toMatch(/^WW[0-9a-f]{32}$/);
    expect(workflow).toMatchObject({ friendlyName: 'Survey follow-up', taskReservationTimeout: 300 });
    expect(JSON.parse(workflow.configuration)).toEqual({ task_routing: { filters: [], default_filter: { queue: queue.sid } } });
    expect((await workspace().workflows.list({ friendlyName: 'Survey follow-up' })).map((w) => w.sid)).toEqual([workflow.sid]);

    const channel = await workspace().taskChannels.create({ friendlyName: 'Survey', uniqueName: 'survey' });
    expect(channel.sid).toMatch(/^TC[0-9a-f]{32}$/);
    expect(await workspace().taskChannels('survey').fetch()).toMatchObject({ sid: channel.sid });
    expect((await workspace().taskChannels.list()).map((c) => c.uniqueName)).toContain('survey');
    const duplicate = await workspace().taskChannels.create({ friendlyName: 'Survey 2', uniqueName: 'survey' }).catch((e: unknown) => e);
    expect(duplicate).toMatchObject({ status: 400, code: 20001 });

    const worker = await workspace().workers.create({ friendlyName: 'agent-1', attributes: JSON.stringify({ skills: ['survey'] }) });
    expect(worker.sid).toMatch(/^WK[0-9a-f]{32}$/);
    expect(worker).toMatchObject({ friendlyName: 'agent-1', activityName: 'Offline', available: false });
    expect(JSON.parse(worker.attributes)).toEqual({ skills: ['survey'] });
    expect((await workspace().workers.list()).map((w) => w.sid)).toEqual([worker.sid]);
  });

  it('refuses a workflow routing to a queue that does not exist', async () => {
    const error = await workspace()
      .workflows.create({
        friendlyName: 'Broken',
        configuration: JSON.stringify({ task_routing: { default_filter: { queue: 'WQ00000000000000000000000000000000' } } }),
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: 20001 });
  });

  it("updates a task queue's target workers, and only what is given", async () => {
    const queue = await workspace().taskQueues.create({ friendlyName: 'Survey', targetWorkers: '1 == 1', taskOrder: 'LIFO' });
    const updated = await workspace().taskQueues(queue.sid).update({ targetWorkers: '1 == 0' });
    expect(updated).toMatchObject({ sid: queue.sid, friendlyName: 'Survey', targetWorkers: '1 == 0', taskOrder: 'LIFO', maxReservedWorkers: 1 });
    expect(await workspace().taskQueues(queue.sid).fetch()).toMatchObject({ targetWorkers: '1 == 0' });
    expect(sim.state.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/TaskQueues/${queue.sid}`)).map((r) => r.params)).toEqual([{ TargetWorkers: '1 == 0' }]);

    const renamed = await workspace().taskQueues(queue.sid).update({ friendlyName: 'Survey 2', maxReservedWorkers: 5 });
    expect(renamed).toMatchObject({ friendlyName: 'Survey 2', targetWorkers: '1 == 0', maxReservedWorkers: 5 });
    const tooMany = await workspace().taskQueues(queue.sid).update({ maxReservedWorkers: 51 }).catch((e: unknown) => e);
    expect(tooMany).toMatchObject({ status: 400, code: 20001 });
    const unknown = await workspace().taskQueues('WQ00000000000000000000000000000000').update({ targetWorkers: '1 == 0' }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ status: 404, code: 20404 });
  });

  it("updates a workflow's configuration and reservation timeout, checking the queues it routes to", async () => {
    const { workflow, queue } = await provisionSurveyRouting();
    const other = await workspace().taskQueues.create({ friendlyName: 'Other', targetWorkers: '1 == 0' });
    const { sid: pendingTask } = await createTask(sim.client, workspaceSid, { workflowSid: workflow.sid, taskChannel: 'sms', attributes: {} });
    const configuration = JSON.stringify({ task_routing: { filters: [{ expression: '1 == 1', targets: [{ queue: other.sid, timeout: 3 }] }], default_filter: { queue: other.sid } } });

    const updated = await workspace().workflows(workflow.sid).update({ configuration, taskReservationTimeout: 3 });
    expect(updated).toMatchObject({ sid: workflow.sid, friendlyName: 'Survey follow-up', configuration, taskReservationTimeout: 3 });
    expect(await workspace().workflows(workflow.sid).fetch()).toMatchObject({ configuration, taskReservationTimeout: 3 });
    // Without ReEvaluateTasks the pending task stays where it was routed; with it, it follows the new routing.
    expect(await workspace().tasks(pendingTask).fetch()).toMatchObject({ taskQueueSid: queue.sid });
    await workspace().workflows(workflow.sid).update({ reEvaluateTasks: 'true' });
    expect(await workspace().tasks(pendingTask).fetch()).toMatchObject({ taskQueueSid: other.sid, taskQueueFriendlyName: 'Other' });

    const timeoutOnly = await workspace().workflows(workflow.sid).update({ taskReservationTimeout: 120 });
    expect(timeoutOnly).toMatchObject({ configuration, taskReservationTimeout: 120 });

    const missingQueue = JSON.stringify({ task_routing: { default_filter: { queue: 'WQ00000000000000000000000000000000' } } });
    const broken = await workspace().workflows(workflow.sid).update({ configuration: missingQueue }).catch((e: unknown) => e);
    expect(broken).toMatchObject({ status: 400, code: 20001 });
    const notJson = await workspace().workflows(workflow.sid).update({ configuration: '{task_routing' }).catch((e: unknown) => e);
    expect(notJson).toMatchObject({ status: 400, code: 20001 });
    expect(await workspace().workflows(workflow.sid).fetch()).toMatchObject({ configuration, taskReservationTimeout: 120 });
    const unknown = await workspace().workflows('WW00000000000000000000000000000000').update({ taskReservationTimeout: 3 }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ status: 404, code: 20404 });
  });

  it('creates, fetches, lists and cancels tasks', async () => {
    const { workflow, queue } = await provisionSurveyRouting();
    const attributes = { type: 'survey-callback', surveyId: 's-1', customer: '+4791234567', score: 1 };
    const { sid } = await createTask(sim.client, workspaceSid, { workflowSid: workflow.sid, taskChannel: 'sms', attributes, priority: 5, timeout: 3600 });
    expect(sid).toMatch(/^WT[0-9a-f]{32}$/);

    const task = await workspace().tasks(sid).fetch();
    expect(task).toMatchObject({
      assignmentStatus: 'pending',
      priority: 5,
      timeout: 3600,
      workflowSid: workflow.sid,
      taskQueueSid: queue.sid,
      taskChannelUniqueName: 'sms',
      reason: null,
    });
    expect(JSON.parse(task.attributes)).toEqual(attributes);

    await createTask(sim.client, workspaceSid, { workflowSid: workflow.sid, taskChannel: 'sms', attributes: { n: 2 } });
    expect(await workspace().tasks.list()).toHaveLength(2);

    expect(await completeOrCancelTask(sim.client, workspaceSid, sid, 'customer answered the survey')).toEqual({ sid, assignmentStatus: 'canceled' });
    expect(await workspace().tasks(sid).fetch()).toMatchObject({ assignmentStatus: 'canceled', reason: 'customer answered the survey' });
    expect((await workspace().tasks.list({ assignmentStatus: ['pending'] })).map((t) => t.sid)).not.toContain(sid);
    expect((await workspace().tasks.list({ assignmentStatus: ['canceled'] })).map((t) => t.sid)).toEqual([sid]);
    expect(sim.state.tasks.find((t) => t.sid === sid)?.assignmentStatus).toBe('canceled');
  });

  it('completes a task an agent has accepted, and refuses to cancel it', async () => {
    const { workflow } = await provisionSurveyRouting();
    const { sid } = await createTask(sim.client, workspaceSid, { workflowSid: workflow.sid, taskChannel: 'sms', attributes: {} });
    await fetch(`${sim.baseUrl}/__sim/tasks/${sid}/assignment-status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ assignmentStatus: 'assigned' }),
    });
    const cancel = await workspace().tasks(sid).update({ assignmentStatus: 'canceled', reason: 'x' }).catch((e: unknown) => e);
    expect(cancel).toMatchObject({ status: 400, code: 20001 });
    expect(await completeOrCancelTask(sim.client, workspaceSid, sid, 'handled')).toEqual({ sid, assignmentStatus: 'completed' });
  });

  it('uses the only workflow when WorkflowSid is omitted, and requires it otherwise', async () => {
    const noWorkflow = await workspace().tasks.create({ attributes: '{}' }).catch((e: unknown) => e);
    expect(noWorkflow).toMatchObject({ status: 400, code: 20001 });
    const { workflow } = await provisionSurveyRouting();
    expect(await workspace().tasks.create({ attributes: '{}' })).toMatchObject({ workflowSid: workflow.sid, taskChannelUniqueName: 'default' });
  });

  it('rejects attributes that are not JSON or exceed 16 KB', async () => {
    const { workflow } = await provisionSurveyRouting();
    const invalid = await workspace().tasks.create({ workflowSid: workflow.sid, attributes: '{not json' }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ status: 400, code: 20001 });
    expect(classifyTwilioError(invalid)).toMatchObject({ kind: 'permanent' });

    const big = { blob: 'x'.repeat(16 * 1024) };
    const tooBig = await createTask(sim.client, workspaceSid, { workflowSid: workflow.sid, taskChannel: 'sms', attributes: big }).catch((e: unknown) => e);
    expect(tooBig).toMatchObject({ status: 400, code: 20001, message: expect.stringContaining('16 KB') });

    const justFits = { blob: 'x'.repeat(16 * 1024 - '{"blob":""}'.length) };
    await expect(createTask(sim.client, workspaceSid, { workflowSid: workflow.sid, taskChannel: 'sms', attributes: justFits })).resolves.toHaveProperty('sid');
  });

  it('pages task lists through next_page_url (followed by the SDK via the simulator)', async () => {
    const { workflow } = await provisionSurveyRouting();
    for (let i = 0; i < 5; i++) await createTask(sim.client, workspaceSid, { workflowSid: workflow.sid, taskChannel: 'sms', attributes: { i } });
    const tasks = await workspace().tasks.list({ pageSize: 2 });
    expect(tasks.map((t) => JSON.parse(t.attributes).i)).toEqual([0, 1, 2, 3, 4]);
    const pagedRequests = sim.state.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/Tasks'));
    expect(pagedRequests.map((r) => r.params.Page ?? '0')).toEqual(['0', '1', '2']);
  });

  it('answers 404 in Twilio shape for unknown workspaces and tasks', async () => {
    const unknownWorkspace = await sim.client.taskrouter.v1.workspaces('WS00000000000000000000000000000000').fetch().catch((e: unknown) => e);
    expect(unknownWorkspace).toMatchObject({ status: 404, code: 20404 });
    const unknownTask = await workspace().tasks('WT00000000000000000000000000000000').fetch().catch((e: unknown) => e);
    expect(unknownTask).toMatchObject({ status: 404, code: 20404 });
  });

  it('keeps TaskRouter configuration on a plain reset, and drops tasks', async () => {
    const { workflow } = await provisionSurveyRouting();
    await createTask(sim.client, workspaceSid, { workflowSid: workflow.sid, taskChannel: 'sms', attributes: {} });
    await fetch(`${sim.baseUrl}/__sim/reset`, { method: 'POST' });
    expect(await workspace().tasks.list()).toHaveLength(0);
    expect((await workspace().workflows.list()).map((w) => w.sid)).toEqual([workflow.sid]);
    const view = (await (await fetch(`${sim.baseUrl}/__sim/tasks`)).json()) as { tasks: unknown[] };
    expect(view.tasks).toEqual([]);
  });
});
