import { describe, expect, it } from 'vitest';
import { FlexSurveyTransferRequest, FlexTaskLifecycle, TaskRouterTaskEventForm, createMessage } from '../src/index.js';

const TASK = 'WT' + 'a'.repeat(32);
const WORKSPACE = 'WS' + 'b'.repeat(32);

describe('TaskRouterTaskEventForm', () => {
  it('parses TaskAttributes as a JSON object and treats the empty strings TaskRouter sends as absent', () => {
    const form = TaskRouterTaskEventForm.parse({
      EventType: 'task.wrapup',
      WorkspaceSid: WORKSPACE,
      TaskSid: TASK,
      TaskAttributes: '{"from":"+4791234567","conversations":{"conversation_id":"WT1"}}',
      WorkerSid: '',
      TaskQueueName: 'Support',
      Timestamp: '1780000000',
      TaskAge: '12',
    });
    expect(form).toMatchObject({ TaskAttributes: { from: '+4791234567', conversations: { conversation_id: 'WT1' } }, WorkerSid: undefined, TaskQueueName: 'Support', TaskAge: '12' });
  });

  it('names a task sid that is not one and attributes that are not a JSON object', () => {
    const result = TaskRouterTaskEventForm.safeParse({ EventType: 'task.wrapup', WorkspaceSid: WORKSPACE, TaskSid: 'WT1', TaskAttributes: 'not json' });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['TaskAttributes', 'TaskSid']);
  });
});

describe('FlexTaskLifecycle', () => {
  it('carries a task event; the plugin transfer has no workspace', () => {
    const event = createMessage(FlexTaskLifecycle, {
      type: 'flex.task.lifecycle',
      schemaVersion: 1,
      payload: { eventType: 'plugin.transfer', taskSid: TASK, taskAttributes: { customerAddress: '+4791234567' }, surveySenderNumber: '+4759440000', occurredAt: new Date().toISOString() },
    });
    expect(event.payload.workspaceSid).toBeUndefined();
    expect(() =>
      createMessage(FlexTaskLifecycle, { type: 'flex.task.lifecycle', schemaVersion: 1, payload: { eventType: 'task.created' as 'task.wrapup', taskSid: TASK, taskAttributes: {}, occurredAt: new Date().toISOString() } }),
    ).toThrow(/eventType/);
  });
});

describe('FlexSurveyTransferRequest', () => {
  it("accepts the seed plugin's fields and ignores its Token", () => {
    const body = FlexSurveyTransferRequest.parse({ Token: 'jwt', taskSid: TASK, customerAddress: ' whatsapp:+4791234567 ', surveySmsPhoneNumber: '+4759440000' });
    expect(body).toEqual({ taskSid: TASK, customerAddress: 'whatsapp:+4791234567', surveySmsPhoneNumber: '+4759440000' });
  });
});
