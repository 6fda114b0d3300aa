import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { describeFetchError, postSignedForm, type SignedPostResult } from './outbound-http.js';
import { newSid } from './sids.js';
import type { SimulatorState, TaskAssignmentStatus } from './state.js';
import { invalidParameter } from './twilio-error.js';

/**
 * TaskRouter's workspace event callbacks (https://www.twilio.com/docs/taskrouter/api/event/reference): a
 * form-encoded POST to the workspace's EventCallbackUrl, signed with the auth token like every webhook. Task
 * events carry the common fields (EventType, AccountSid, WorkspaceSid, ResourceType, ResourceSid, Timestamp…)
 * and the task's (TaskSid, TaskAttributes, TaskQueueSid/Name, WorkflowSid/Name, TaskChannelUniqueName…).
 */
export const TaskRouterEventInput = z.object({
  /** Where to post; defaults to the task's workspace EventCallbackUrl. */
  url: z.url().optional(),
  /** e.g. `task.wrapup`, `task.completed`, `task.canceled`, `reservation.accepted`. */
  eventType: z.string().min(1),
  /** A task of the simulator (its fields fill in what is not given here, and its status follows the event), or any task sid. */
  taskSid: z.string().regex(/^WT[0-9a-f]{32}$/).optional(),
  /** The task's attributes (an object; sent JSON-encoded as TaskAttributes). */
  taskAttributes: z.record(z.string(), z.unknown()).optional(),
  workspaceSid: z.string().optional(),
  taskQueueSid: z.string().optional(),
  taskQueueName: z.string().optional(),
  workflowSid: z.string().optional(),
  workflowName: z.string().optional(),
  taskChannelUniqueName: z.string().optional(),
  workerSid: z.string().optional(),
  workerName: z.string().optional(),
  /** Extra or overriding form parameters, sent as given. */
  params: z.record(z.string(), z.string()).optional(),
});
export type TaskRouterEventInput = z.infer<typeof TaskRouterEventInput>;

export interface TaskRouterEventResult extends SignedPostResult {
  url: string;
  /** What was posted (and signed). */
  params: Record<string, string>;
}

/** The assignment status a task has after each task event, for a task the simulator holds. */
const STATUS_AFTER: Record<string, TaskAssignmentStatus> = {
  'task.wrapup': 'wrapping',
  'task.completed': 'completed',
  'task.canceled': 'canceled',
};

/** Builds the event's form parameters from the input and, when it names one, the simulator's task. */
export function taskRouterEventParams(state: SimulatorState, input: TaskRouterEventInput, now = new Date()): { url: string | undefined; params: Record<string, string> } {
  const task = input.taskSid ? state.tasks.find((t) => t.sid === input.taskSid) : undefined;
  const workspaceSid = input.workspaceSid ?? task?.workspaceSid ?? state.workspaces[0]?.sid;
  const workspace = state.workspaces.find((w) => w.sid === workspaceSid);
  const taskSid = input.taskSid ?? newSid('WT');
  const status = STATUS_AFTER[input.eventType] ?? task?.assignmentStatus;
  const fields: Record<string, string | undefined> = {
    AccountSid: state.accountSid,
    WorkspaceSid: workspaceSid,
    WorkspaceName: workspace?.friendlyName,
    EventType: input.eventType,
    EventDescription: `Task ${taskSid} ${input.eventType}`,
    ResourceType: 'Task',
    ResourceSid: taskSid,
    Sid: newSid('EV'),
    Timestamp: String(Math.floor(now.getTime() / 1000)),
    TimestampMs: String(now.getTime()),
    TaskSid: taskSid,
    TaskAttributes: input.taskAttributes ? JSON.stringify(input.taskAttributes) : (task?.attributes ?? '{}'),
    TaskAge: String(task ? Math.max(0, Math.floor((now.getTime() - task.dateCreated.getTime()) / 1000)) : 0),
    TaskPriority: String(task?.priority ?? 0),
    TaskAssignmentStatus: status,
    TaskQueueSid: input.taskQueueSid ?? task?.taskQueueSid ?? undefined,
    TaskQueueName: input.taskQueueName ?? task?.taskQueueFriendlyName ?? undefined,
    WorkflowSid: input.workflowSid ?? task?.workflowSid,
    WorkflowName: input.workflowName ?? task?.workflowFriendlyName,
    TaskChannelSid: task?.taskChannelSid,
    TaskChannelUniqueName: input.taskChannelUniqueName ?? task?.taskChannelUniqueName,
    WorkerSid: input.workerSid,
    WorkerName: input.workerName,
  };
  const params = Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined));
  return { url: input.url ?? workspace?.eventCallbackUrl ?? undefined, params: { ...params, ...input.params } };
}

/**
 * `POST /__sim/taskrouter/events`: plays TaskRouter posting a workspace event, signed with the auth token, to
 * `url` (or the workspace's EventCallbackUrl). A task of the simulator named by `taskSid` moves to the status the
 * event means (wrapping, completed, canceled). Answers what the receiver answered, and what was posted.
 */
export function registerTaskRouterEventControl(app: FastifyInstance, deps: { state: SimulatorState; authToken: string }): void {
  app.post('/taskrouter/events', async (request, reply) => {
    const parsed = TaskRouterEventInput.safeParse(request.body);
    if (!parsed.success) throw invalidParameter(z.prettifyError(parsed.error));
    const { url, params } = taskRouterEventParams(deps.state, parsed.data);
    if (!url) throw invalidParameter('url is required: the workspace has no EventCallbackUrl');
    const task = deps.state.tasks.find((t) => t.sid === params.TaskSid);
    const status = STATUS_AFTER[parsed.data.eventType];
    if (task && status) {
      task.assignmentStatus = status;
      task.dateUpdated = new Date();
    }
    try {
      const result = await postSignedForm({ url, authToken: deps.authToken, params });
      return { ...result, url, params } satisfies TaskRouterEventResult;
    } catch (err) {
      return reply.code(502).send({ error: `TaskRouter event not delivered: ${describeFetchError(err)}` });
    }
  });
}
