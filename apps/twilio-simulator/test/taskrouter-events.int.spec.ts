import { validateTwilioWebhook } from '@sms-survey/twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountSid, authToken, startReceiver, startSimulator, unreachableUrl, type RunningSimulator, type WebhookReceiver } from './helpers.js';

const CUSTOMER = '+4791234567';

describe('POST /__sim/taskrouter/events', () => {
  let sim: RunningSimulator;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startReceiver('');
    sim = await startSimulator();
  });

  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });

  beforeEach(() => {
    receiver.received.length = 0;
  });

  const post = (body: unknown) =>
    fetch(`${sim.baseUrl}/__sim/taskrouter/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('posts a signed, form-encoded task event as TaskRouter does, with the task details given', async () => {
    const taskSid = 'WT' + 'a'.repeat(32);
    const attributes = { from: CUSTOMER, customerAddress: CUSTOMER, channelType: 'sms', name: CUSTOMER };
    const res = await post({
      url: `${receiver.baseUrl}/twilio/taskrouter/events`,
      eventType: 'task.wrapup',
      taskSid,
      taskAttributes: attributes,
      taskQueueSid: 'WQ' + 'b'.repeat(32),
      taskQueueName: 'Support',
      workflowName: 'Assign to Anyone',
      taskChannelUniqueName: 'sms',
      workerSid: 'WK' + 'c'.repeat(32),
      workerName: 'alice',
    });
    expect(res.status).toBe(200);
    const result = (await res.json()) as { status: number; params: Record<string, string> };
    expect(result.status).toBe(200);

    expect(receiver.received).toHaveLength(1);
    const webhook = receiver.received[0]!;
    expect(webhook.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(webhook.params).toEqual(result.params);
    expect(webhook.params).toMatchObject({
      AccountSid: accountSid,
      WorkspaceSid: sim.state.defaultWorkspaceSid,
      EventType: 'task.wrapup',
      ResourceType: 'Task',
      ResourceSid: taskSid,
      TaskSid: taskSid,
      TaskAssignmentStatus: 'wrapping',
      TaskQueueName: 'Support',
      WorkflowName: 'Assign to Anyone',
      TaskChannelUniqueName: 'sms',
      WorkerName: 'alice',
    });
    expect(JSON.parse(webhook.params.TaskAttributes as string)).toEqual(attributes);
    expect(webhook.params.Sid).toMatch(/^EV[0-9a-f]{32}$/);
    expect(Number(webhook.params.Timestamp)).toBeCloseTo(Date.now() / 1000, -1);
    const url = `${receiver.baseUrl}${webhook.url}`;
    const signature = webhook.headers['x-twilio-signature'] as string;
    expect(validateTwilioWebhook({ authTokens: [authToken], url, signature, params: webhook.params })).toBe(true);
    expect(validateTwilioWebhook({ authTokens: [authToken], url, signature, params: { ...webhook.params, EventType: 'task.completed' } })).toBe(false);
  });

  it("fills in a simulated task's attributes, queue, workflow and channel, and moves it to the status the event means", async () => {
    const workspace = sim.client.taskrouter.v1.workspaces(sim.state.defaultWorkspaceSid);
    const queue = await workspace.taskQueues.create({ friendlyName: 'Support' });
    const workflow = await workspace.workflows.create({ friendlyName: 'Support', configuration: JSON.stringify({ task_routing: { default_filter: { queue: queue.sid } } }) });
    const task = await workspace.tasks.create({ workflowSid: workflow.sid, taskChannel: 'sms', attributes: JSON.stringify({ from: CUSTOMER, channelType: 'sms' }) });

    const res = await post({ url: `${receiver.baseUrl}/events`, eventType: 'task.completed', taskSid: task.sid, params: { TaskCompletedReason: 'done' } });
    expect(res.status).toBe(200);
    expect(receiver.received[0]!.params).toMatchObject({
      TaskSid: task.sid,
      TaskAttributes: JSON.stringify({ from: CUSTOMER, channelType: 'sms' }),
      TaskQueueSid: queue.sid,
      TaskQueueName: 'Support',
      WorkflowSid: workflow.sid,
      WorkflowName: 'Support',
      TaskChannelUniqueName: 'sms',
      TaskAssignmentStatus: 'completed',
      TaskCompletedReason: 'done',
    });
    expect(sim.state.tasks.find((t) => t.sid === task.sid)?.assignmentStatus).toBe('completed');
  });

  it('needs a URL when the workspace has no EventCallbackUrl, and answers 502 when the receiver is unreachable', async () => {
    const noUrl = await post({ eventType: 'task.wrapup' });
    expect(noUrl.status).toBe(400);
    expect(((await noUrl.json()) as { message: string }).message).toMatch(/EventCallbackUrl/);
    const unreachable = await post({ url: await unreachableUrl('/events'), eventType: 'task.wrapup' });
    expect(unreachable.status).toBe(502);
  });
});
