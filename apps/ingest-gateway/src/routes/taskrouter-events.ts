import type { FastifyInstance } from 'fastify';
import {
  FlexTaskLifecycle,
  TASKROUTER_TASK_EVENT_TYPES,
  TaskRouterTaskEventForm,
  Topics,
  createMessage,
  uuidFromName,
  type FlexTaskEventType,
} from '@sms-survey/contracts';
import type { EventProducer } from '@sms-survey/kafka';
import { assertTwilioSignature, twilioWebhookAnswers } from './twilio-webhooks.js';
import { Counter, type Registry } from 'prom-client';
import { TWILIO_SIGNATURE_SECURITY, empty } from '../openapi.js';

export interface TaskRouterEventOptions {
  publicBaseUrl: string;
  authTokens: readonly string[];
  producer: EventProducer;
  registry: Registry;
}

export const TASKROUTER_EVENTS_PATH = '/twilio/taskrouter/events';

const published = new Set<string>(TASKROUTER_TASK_EVENT_TYPES);

/** The flex event's id: the same for every retry of one task's event, so the orchestrator applies it once. */
export function taskEventId(taskSid: string, eventType: FlexTaskEventType): string {
  return uuidFromName(`task-event:${taskSid}:${eventType}`);
}

/** When the event happened: TaskRouter's TimestampMs, else Timestamp (seconds), else now. */
function occurredAt(form: TaskRouterTaskEventForm): string {
  const ms = form.TimestampMs !== undefined ? Number(form.TimestampMs) : form.Timestamp !== undefined ? Number(form.Timestamp) * 1000 : NaN;
  const date = new Date(Number.isFinite(ms) ? ms : Date.now());
  return (Number.isNaN(date.getTime()) ? new Date() : date).toISOString();
}

/**
 * The Flex workspace's Event Callback URL. Signature-checked like the messaging webhooks (403 otherwise). Task
 * wrap-up, completion and cancellation are written to `flex.task-events.v1` keyed by the task sid (acks=all)
 * before we answer; every other event type is acknowledged and dropped. TaskRouter asks for 204 No Content
 * with a JSON content type; it does not need a body.
 */
export function registerTaskRouterEvents(app: FastifyInstance, options: TaskRouterEventOptions): void {
  const received = new Counter({
    name: 'gateway_taskrouter_events_total',
    help: 'TaskRouter workspace events received, by outcome (published, ignored, bad-signature, invalid)',
    labelNames: ['outcome'],
    registers: [options.registry],
  });

  const schema = {
    tags: ['twilio'],
    summary: "The Flex workspace's Event Callback URL (TaskRouter events)",
    description: `Signature-checked. ${TASKROUTER_TASK_EVENT_TYPES.join(', ')} are validated and written to \`flex.task-events.v1\` keyed by the task sid (acks=all) before the answer; every other event type is acknowledged and dropped. Only the fields used are listed; TaskRouter sends more.`,
    security: TWILIO_SIGNATURE_SECURITY,
    consumes: ['application/x-www-form-urlencoded'],
    body: TaskRouterTaskEventForm,
    response: twilioWebhookAnswers([204, empty('taken (published, or an event type that is not needed)')]),
  };
  app.post(TASKROUTER_EVENTS_PATH, { schema }, async (request, reply) => {
    const params = (request.body ?? {}) as Record<string, string | string[]>;
    assertTwilioSignature(request, options, () => received.inc({ outcome: 'bad-signature' }));
    const eventType = typeof params.EventType === 'string' ? params.EventType : undefined;
    if (eventType === undefined || !published.has(eventType)) {
      received.inc({ outcome: 'ignored' });
      return reply.code(204).type('application/json').send();
    }
    const parsed = TaskRouterTaskEventForm.safeParse(params);
    if (!parsed.success) {
      received.inc({ outcome: 'invalid' });
      throw parsed.error;
    }
    const form = parsed.data;
    const type = eventType as FlexTaskEventType;
    const when = occurredAt(form);
    const event = createMessage(FlexTaskLifecycle, {
      id: taskEventId(form.TaskSid, type),
      occurredAt: when,
      type: 'flex.task.lifecycle',
      schemaVersion: 1,
      payload: {
        eventType: type,
        taskSid: form.TaskSid,
        workspaceSid: form.WorkspaceSid,
        taskAttributes: form.TaskAttributes ?? {},
        taskQueueSid: form.TaskQueueSid,
        taskQueueName: form.TaskQueueName,
        workflowSid: form.WorkflowSid,
        workflowName: form.WorkflowName,
        taskChannelUniqueName: form.TaskChannelUniqueName,
        workerSid: form.WorkerSid,
        workerName: form.WorkerName,
        occurredAt: when,
      },
    });
    await options.producer.publish([{ topic: Topics.flexTaskEvents, key: form.TaskSid, message: event }]);
    received.inc({ outcome: 'published' });
    request.log.info({ taskSid: form.TaskSid, eventType: type, eventId: event.id }, 'flex task event published');
    return reply.code(204).type('application/json').send();
  });
}
