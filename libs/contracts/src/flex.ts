import { z } from 'zod';
import { BoundedJsonObject, E164, IsoDateTime, Sid, Text, eventSchema } from './common.js';

/** The TaskRouter workspace events the gateway publishes; every other event type is acknowledged and dropped. */
export const TASKROUTER_TASK_EVENT_TYPES = ['task.wrapup', 'task.completed', 'task.canceled'] as const;

/**
 * What happened to a Flex task: one of the TaskRouter events above, or `plugin.transfer` when the seed's Flex
 * plugin asked for a survey through `POST /v1/flex/survey-transfer`.
 */
export const FlexTaskEventType = z.enum([...TASKROUTER_TASK_EVENT_TYPES, 'plugin.transfer']);
export type FlexTaskEventType = z.infer<typeof FlexTaskEventType>;

/** A task's attributes: the JSON object TaskRouter keeps with the task (Flex sets `from`, `customerAddress`, `channelType`, `name`, `conversations`…). */
export const TaskAttributes = BoundedJsonObject;
export type TaskAttributes = z.infer<typeof TaskAttributes>;

/**
 * A Flex task reached wrap-up, was completed or canceled (from the workspace's event callback), or the plugin
 * asked for a survey. Keyed by the task sid, so one task's events stay in order. The event id derives from the
 * task sid and the event type (`task-event:<TaskSid>:<EventType>`), so a retried callback is dropped by the
 * consumer's de-duplication.
 */
export const FlexTaskLifecycle = eventSchema(
  'flex.task.lifecycle',
  1,
  z.object({
    eventType: FlexTaskEventType,
    taskSid: Sid('WT'),
    /** Absent for `plugin.transfer` (the plugin does not send it). */
    workspaceSid: Sid('WS').optional(),
    taskAttributes: TaskAttributes,
    taskQueueSid: Sid('WQ').optional(),
    taskQueueName: Text(256).optional(),
    workflowSid: Sid('WW').optional(),
    workflowName: Text(256).optional(),
    /** The task channel, e.g. `sms`, `voice`, `chat`. */
    taskChannelUniqueName: Text(256).optional(),
    workerSid: Sid('WK').optional(),
    workerName: Text(256).optional(),
    /** `plugin.transfer`: the survey sender number the plugin is configured with (it wins over the policy's). */
    surveySenderNumber: E164.optional(),
    /** When the event happened at Twilio (the callback's Timestamp), or when the plugin's request arrived. */
    occurredAt: IsoDateTime,
  }),
);
export type FlexTaskLifecycle = z.infer<typeof FlexTaskLifecycle>;
