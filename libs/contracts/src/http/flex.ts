import { z } from 'zod';
import { E164, Sid, Text } from '../common.js';
import { TaskAttributes } from '../flex.js';

/** Twilio sends a parameter it has no value for as an empty string: treat that as absent. */
const optionalParam = <S extends z.ZodType>(schema: S) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

/** A JSON object sent as a string (TaskRouter's TaskAttributes). */
const JsonObjectString = z.string().transform((text, ctx) => {
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  ctx.issues.push({ code: 'custom', message: 'must be a JSON object', input: text });
  return z.NEVER;
}).pipe(TaskAttributes);

/**
 * A TaskRouter workspace event (the workspace's Event Callback URL; form-encoded). Only the fields of task events
 * that we use; TaskRouter sends more (TaskAge, TaskPriority, TaskAssignmentStatus, ResourceSid, Sid…). Parsed only
 * for the task events we publish; other event types are dropped before this.
 */
export const TaskRouterTaskEventForm = z.looseObject({
  EventType: Text(100).min(1),
  AccountSid: optionalParam(Sid('AC')),
  WorkspaceSid: Sid('WS'),
  TaskSid: Sid('WT'),
  TaskAttributes: optionalParam(JsonObjectString),
  TaskQueueSid: optionalParam(Sid('WQ')),
  TaskQueueName: optionalParam(Text(256)),
  WorkflowSid: optionalParam(Sid('WW')),
  WorkflowName: optionalParam(Text(256)),
  TaskChannelUniqueName: optionalParam(Text(256)),
  WorkerSid: optionalParam(Sid('WK')),
  WorkerName: optionalParam(Text(256)),
  /** When the event happened: Unix time in seconds (TimestampMs, when sent, in milliseconds). */
  Timestamp: optionalParam(z.string().regex(/^\d+$/, 'must be Unix time in seconds')),
  TimestampMs: optionalParam(z.string().regex(/^\d+$/, 'must be Unix time in milliseconds')),
});
export type TaskRouterTaskEventForm = z.infer<typeof TaskRouterTaskEventForm>;

/**
 * The body of `POST /v1/flex/survey-transfer` (JSON or form-encoded): what the seed's Flex plugin sends to its
 * `sms-survey-transfer` function when an agent wraps up (`taskSid`, `customerAddress`, `surveySmsPhoneNumber`;
 * its `Token` is ignored, the API key authenticates), plus optional task details the policies can match on.
 */
export const FlexSurveyTransferRequest = z.object({
  /** The task the agent wrapped up (WT…). One survey per task, however often this is sent. */
  taskSid: Sid('WT'),
  /** The customer's number, E.164; a `whatsapp:` or `sms:` prefix is accepted and removed. */
  customerAddress: Text(256).trim().min(1),
  /** The survey sender number; when absent, the matching policy's `senderNumber`, else the orchestrator's default. */
  surveySmsPhoneNumber: E164.optional(),
  /** Optional: what the policies match on (queue name or sid, workflow name or sid, channel). */
  taskQueueName: Text(256).min(1).optional(),
  taskQueueSid: Sid('WQ').optional(),
  workflowName: Text(256).min(1).optional(),
  workflowSid: Sid('WW').optional(),
  taskChannelUniqueName: Text(256).min(1).optional(),
  /** The task's `channelType` attribute (`sms`, `whatsapp`, `voice`…). */
  channelType: Text(64).min(1).optional(),
  /** Optional: the agent, for the session's `agentId`. */
  workerSid: Sid('WK').optional(),
  workerName: Text(256).min(1).optional(),
  /** The original conversation (`conversations.conversation_id` of a transferred task); the linked task uses it. */
  conversationId: Text(256).min(1).optional(),
  /** Optional: the task's attributes (a policy's `languageAttribute` is read from them). */
  taskAttributes: TaskAttributes.optional(),
});
export type FlexSurveyTransferRequest = z.infer<typeof FlexSurveyTransferRequest>;
export type FlexSurveyTransferRequestInput = z.input<typeof FlexSurveyTransferRequest>;

/** The 202 answer: the event was written; the orchestrator decides (by policy) whether the customer gets a survey. */
export const FlexSurveyTransferAccepted = z.object({
  taskSid: Sid('WT'),
  eventId: z.uuid(),
});
export type FlexSurveyTransferAccepted = z.infer<typeof FlexSurveyTransferAccepted>;
