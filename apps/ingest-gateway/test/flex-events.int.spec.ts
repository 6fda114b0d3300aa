import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Topics, uuidFromName } from '@sms-survey/contracts';
import type { SurveyDefinitionRepository } from '@sms-survey/db';
import { signWebhook } from '@sms-survey/twilio';
import { API_KEY, apiGateway, type ApiGateway } from './public-api-harness.js';

// The Flex routes over `app.inject`, writing to the real broker: the workspace's TaskRouter event callback
// (signed like Twilio signs it) and the seed plugin's survey transfer (API key). Each test has its own topics.

vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

const PUBLIC_BASE_URL = 'https://surveys.example.com'; // what the harness configures
const AUTH_TOKEN = 'twilio-auth-token-0123';
const PATH = '/twilio/taskrouter/events';
const TOPIC = Topics.flexTaskEvents.name;
const CUSTOMER = '+4791234567';

const sid = (prefix: string) => prefix + randomBytes(16).toString('hex');
const WORKSPACE = sid('WS');
const notUsed = () => Promise.reject(new Error('not used by the flex routes'));
const surveys: SurveyDefinitionRepository = { save: notUsed, latest: notUsed, version: notUsed, listLatest: notUsed } as unknown as SurveyDefinitionRepository;

const gateways: ApiGateway[] = [];
afterEach(async () => {
  while (gateways.length > 0) await gateways.pop()!.close();
});

async function gateway(): Promise<ApiGateway> {
  const g = await apiGateway(surveys, { topics: true });
  gateways.push(g);
  return g;
}

/** A task event as TaskRouter posts it to the workspace's Event Callback URL. */
function taskEvent(eventType: string, taskSid: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    AccountSid: `AC${'a'.repeat(32)}`,
    WorkspaceSid: WORKSPACE,
    WorkspaceName: 'Flex Task Assignment',
    EventType: eventType,
    EventDescription: `Task ${taskSid} ${eventType}`,
    ResourceType: 'Task',
    ResourceSid: taskSid,
    Sid: sid('EV'),
    Timestamp: '1780000000',
    TaskSid: taskSid,
    TaskAttributes: JSON.stringify({ from: CUSTOMER, customerAddress: CUSTOMER, channelType: 'sms', name: CUSTOMER, conversations: { conversation_id: 'WT' + 'c'.repeat(32) } }),
    TaskAge: '300',
    TaskPriority: '0',
    TaskAssignmentStatus: eventType === 'task.wrapup' ? 'wrapping' : 'completed',
    TaskQueueSid: 'WQ' + 'b'.repeat(32),
    TaskQueueName: 'Support',
    WorkflowSid: 'WW' + 'd'.repeat(32),
    WorkflowName: 'Assign to Anyone',
    TaskChannelSid: sid('TC'),
    TaskChannelUniqueName: 'sms',
    WorkerSid: 'WK' + 'e'.repeat(32),
    WorkerName: 'alice',
    ...overrides,
  };
}

function post(g: ApiGateway, params: Record<string, string>, sign: { token?: string; signature?: string | null } = {}) {
  const signature = sign.signature === undefined ? signWebhook(sign.token ?? AUTH_TOKEN, PUBLIC_BASE_URL + PATH, params) : sign.signature;
  return g.app.inject({
    method: 'POST',
    url: PATH,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature === null ? {} : { 'x-twilio-signature': signature }) },
    payload: new URLSearchParams(params).toString(),
  });
}

describe('POST /twilio/taskrouter/events', () => {
  it('publishes a signed task.wrapup keyed by the task sid, with an id derived from task sid and event type, and answers 204', async () => {
    const g = await gateway();
    const taskSid = sid('WT');
    const res = await post(g, taskEvent('task.wrapup', taskSid));
    expect(res.statusCode).toBe(204);
    expect(res.headers['content-type']).toMatch(/^application\/json/);

    const written = await g.events(TOPIC);
    expect(written).toHaveLength(1);
    expect(written[0]!.key).toBe(taskSid);
    expect(written[0]!.type).toBe('flex.task.lifecycle');
    expect(written[0]!.event).toEqual({
      type: 'flex.task.lifecycle',
      schemaVersion: 1,
      id: uuidFromName(`task-event:${taskSid}:task.wrapup`),
      occurredAt: new Date(1_780_000_000_000).toISOString(),
      payload: {
        eventType: 'task.wrapup',
        taskSid,
        workspaceSid: WORKSPACE,
        taskAttributes: { from: CUSTOMER, customerAddress: CUSTOMER, channelType: 'sms', name: CUSTOMER, conversations: { conversation_id: 'WT' + 'c'.repeat(32) } },
        taskQueueSid: 'WQ' + 'b'.repeat(32),
        taskQueueName: 'Support',
        workflowSid: 'WW' + 'd'.repeat(32),
        workflowName: 'Assign to Anyone',
        taskChannelUniqueName: 'sms',
        workerSid: 'WK' + 'e'.repeat(32),
        workerName: 'alice',
        occurredAt: new Date(1_780_000_000_000).toISOString(),
      },
    });
  });

  it('gives a retried event the same id and each event type its own; task.completed and task.canceled are published too', async () => {
    const g = await gateway();
    const taskSid = sid('WT');
    const wrapup = taskEvent('task.wrapup', taskSid);
    expect((await post(g, wrapup)).statusCode).toBe(204);
    expect((await post(g, { ...wrapup, Sid: sid('EV') })).statusCode).toBe(204); // TaskRouter retrying
    expect((await post(g, taskEvent('task.completed', taskSid))).statusCode).toBe(204);
    const other = sid('WT');
    // Without the optional fields (TaskRouter sends some of them empty).
    expect((await post(g, taskEvent('task.canceled', other, { WorkerSid: '', WorkerName: '', TaskQueueSid: '', TaskAttributes: '{}' }))).statusCode).toBe(204);

    const written = await g.events(TOPIC);
    const ids = written.map((w) => w.event.id);
    expect(ids.filter((id) => id === uuidFromName(`task-event:${taskSid}:task.wrapup`))).toHaveLength(2);
    expect(ids).toContain(uuidFromName(`task-event:${taskSid}:task.completed`));
    const canceled = written.find((w) => w.key === other)!;
    expect(canceled.event.id).toBe(uuidFromName(`task-event:${other}:task.canceled`));
    expect(canceled.event.payload).not.toHaveProperty('workerSid');
    expect(canceled.event.payload).not.toHaveProperty('taskQueueSid');
    expect(canceled.event.payload.taskAttributes).toEqual({});
  });

  it('acknowledges other event types with 204 and publishes nothing', async () => {
    const g = await gateway();
    const taskSid = sid('WT');
    for (const eventType of ['task.created', 'reservation.accepted', 'task-queue.entered', 'worker.activity.update', 'task.updated']) {
      const res = await post(g, taskEvent(eventType, taskSid));
      expect({ eventType, status: res.statusCode }).toEqual({ eventType, status: 204 });
    }
    // A worker event has no task at all.
    const worker = await post(g, { AccountSid: `AC${'a'.repeat(32)}`, WorkspaceSid: WORKSPACE, EventType: 'worker.activity.update', ResourceType: 'Worker', ResourceSid: sid('WK'), WorkerSid: sid('WK'), Timestamp: '1780000000' });
    expect(worker.statusCode).toBe(204);
    expect(await g.events(TOPIC)).toEqual([]);

    const metrics = await g.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/^gateway_taskrouter_events_total\{[^}]*outcome="ignored"[^}]*\} 6$/m);
  });

  it('answers 403 to an unsigned, wrongly signed or tampered event, whatever its type, and publishes nothing', async () => {
    const g = await gateway();
    const params = taskEvent('task.wrapup', sid('WT'));
    expect((await post(g, params, { signature: null })).statusCode).toBe(403);
    expect((await post(g, params, { token: 'another-auth-token-99' })).statusCode).toBe(403);
    const signature = signWebhook(AUTH_TOKEN, PUBLIC_BASE_URL + PATH, params);
    const tampered = await post(g, { ...params, TaskAttributes: JSON.stringify({ from: '+4799999999' }) }, { signature });
    expect(tampered.statusCode).toBe(403);
    expect(tampered.json()).toEqual({ error: 'missing or invalid X-Twilio-Signature' });
    expect((await post(g, taskEvent('reservation.created', sid('WT')), { signature: null })).statusCode).toBe(403);
    expect(await g.events(TOPIC)).toEqual([]);
  });

  it('answers 400 naming the field to a signed task event with a bad task sid or attributes that are not a JSON object', async () => {
    const g = await gateway();
    const badSid = await post(g, taskEvent('task.wrapup', 'WT123'));
    expect(badSid.statusCode).toBe(400);
    expect(badSid.json().problems).toEqual([expect.stringMatching(/^TaskSid: /)]);
    const badAttributes = await post(g, taskEvent('task.wrapup', sid('WT'), { TaskAttributes: '[1,2]' }));
    expect(badAttributes.statusCode).toBe(400);
    expect(badAttributes.json().problems).toEqual(['TaskAttributes: must be a JSON object']);
    expect(await g.events(TOPIC)).toEqual([]);
  });
});

describe('POST /v1/flex/survey-transfer', () => {
  it("accepts what the seed's plugin sends (JSON or form-encoded) and publishes a plugin.transfer event with an id derived from the task sid", async () => {
    const g = await gateway();
    const taskSid = sid('WT');
    const res = await g.request('POST', '/v1/flex/survey-transfer', { taskSid, customerAddress: `whatsapp:${CUSTOMER}`, surveySmsPhoneNumber: '+4759440000' });
    expect(res.statusCode).toBe(202);
    const eventId = uuidFromName(`task-event:${taskSid}:plugin.transfer`);
    expect(res.json()).toEqual({ taskSid, eventId });

    // The plugin itself posts a form with its Flex token; the token is ignored (the API key authenticates).
    const other = sid('WT');
    const form = await g.app.inject({
      method: 'POST',
      url: '/v1/flex/survey-transfer',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ Token: 'flex-sso-token', taskSid: other, customerAddress: CUSTOMER, surveySmsPhoneNumber: '+4759440000', taskQueueName: 'Support', conversationId: 'WT' + 'c'.repeat(32) }).toString(),
    });
    expect(form.statusCode).toBe(202);

    const written = await g.events(TOPIC);
    expect(written).toHaveLength(2);
    const first = written.find((w) => w.key === taskSid)!;
    expect(first.event).toMatchObject({
      type: 'flex.task.lifecycle',
      id: eventId,
      payload: { eventType: 'plugin.transfer', taskSid, taskAttributes: { customerAddress: CUSTOMER }, surveySenderNumber: '+4759440000' },
    });
    expect(first.event.payload).not.toHaveProperty('workspaceSid');
    expect(written.find((w) => w.key === other)!.event.payload).toMatchObject({
      taskQueueName: 'Support',
      taskAttributes: { customerAddress: CUSTOMER, conversations: { conversation_id: 'WT' + 'c'.repeat(32) } },
    });
  });

  it('needs the API key, and answers 400 naming the fields to a bad task sid, customer address or sender number', async () => {
    const g = await gateway();
    const noKey = await g.app.inject({ method: 'POST', url: '/v1/flex/survey-transfer', payload: { taskSid: sid('WT'), customerAddress: CUSTOMER } });
    expect(noKey.statusCode).toBe(401);

    const bad = await g.request('POST', '/v1/flex/survey-transfer', { taskSid: 'task-1', customerAddress: CUSTOMER, surveySmsPhoneNumber: '59440000' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().problems).toEqual([expect.stringMatching(/^taskSid: /), expect.stringMatching(/^surveySmsPhoneNumber: /)]);

    const notPhone = await g.request('POST', '/v1/flex/survey-transfer', { taskSid: sid('WT'), customerAddress: 'Jane Doe' });
    expect(notPhone.statusCode).toBe(400);
    expect(notPhone.json().problems).toEqual([expect.stringMatching(/^customerAddress: must be an E\.164 phone number/)]);
    expect(await g.events(TOPIC)).toEqual([]);
  });
});
