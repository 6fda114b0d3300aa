import type { FastifyInstance, FastifyRequest } from 'fastify';
import { enforceContract, type ApiContext } from '../api-context.js';
import { taskRouterPage } from '../paging.js';
import { param, paramValues, type Params } from '../params.js';
import { newSid } from '../sids.js';
import type { SimTask, SimTaskChannel, SimTaskQueue, SimulatorState, SimWorker, SimWorkflow, SimWorkspace, TaskAssignmentStatus } from '../state.js';
import { invalidParameter, notFound } from '../twilio-error.js';
import {
  taskChannelResource,
  taskQueueResource,
  taskResource,
  workerResource,
  workflowResource,
  workspaceResource,
} from '../views.js';

/** TaskRouter's limit on the size of Task and Worker attributes. */
export const MAX_ATTRIBUTES_BYTES = 16 * 1024;
const DEFAULT_TASK_TIMEOUT_S = 86_400;

/** Which assignment status the REST API lets a task move to from each status (the rest happens by routing). */
const API_STATUS_CHANGES: Record<TaskAssignmentStatus, TaskAssignmentStatus[]> = {
  pending: ['canceled'],
  reserved: ['canceled'],
  assigned: ['wrapping', 'completed'],
  wrapping: ['completed'],
  canceled: [],
  completed: [],
};

export function jsonObjectParam(name: string, value: string): string {
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_ATTRIBUTES_BYTES) throw invalidParameter(`${name} is ${bytes} bytes; the limit is ${MAX_ATTRIBUTES_BYTES} bytes (16 KB)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalidParameter(`${name} must be valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidParameter(`${name} must be a JSON object`);
  return value;
}

function intParam(params: Params, name: string, fallback: number, min: number, max: number): number {
  const raw = param(params, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw invalidParameter(`${name} must be an integer from ${min} to ${max}`);
  return value;
}

interface WorkflowConfiguration {
  task_routing?: { filters?: Array<{ targets?: Array<{ queue?: string }> }>; default_filter?: { queue?: string } };
}

/** Queue sids a workflow configuration routes to, in order: filter targets, then the default filter. */
function queuesOfConfiguration(configuration: string): string[] {
  const routing = (JSON.parse(configuration) as WorkflowConfiguration).task_routing;
  const targets = (routing?.filters ?? []).flatMap((f) => f.targets ?? []).map((t) => t.queue);
  return [...targets, routing?.default_filter?.queue].filter((q): q is string => typeof q === 'string');
}

const friendlyNameFilter = (friendlyName: string | undefined): Record<string, string> =>
  friendlyName === undefined ? {} : { FriendlyName: friendlyName };

export interface NewSimTask {
  /** JSON object text, already checked. */
  attributes: string;
  /** Required when the workspace has more than one workflow. */
  workflowSid?: string | undefined;
  /** Unique name or sid; `default` when unset. */
  taskChannel?: string | undefined;
  priority?: number;
  timeout?: number;
}

/**
 * Creates a pending task the way TaskRouter does: in its workflow's first queue, on its channel. Used by the
 * Tasks API and by Flex Interactions (which create their task through TaskRouter).
 */
export function createSimTask(state: SimulatorState, workspace: SimWorkspace, input: NewSimTask): SimTask {
  const workflows = state.workflows.filter((w) => w.workspaceSid === workspace.sid);
  let workflow: SimWorkflow | undefined;
  if (input.workflowSid !== undefined) {
    workflow = workflows.find((w) => w.sid === input.workflowSid);
    if (!workflow) throw invalidParameter(`Workflow ${input.workflowSid} not found in workspace ${workspace.sid}`);
  } else if (workflows.length === 1) {
    workflow = workflows[0];
  } else {
    throw invalidParameter(`WorkflowSid is required: workspace ${workspace.sid} has ${workflows.length} workflows`);
  }
  if (!workflow) throw new Error('unreachable: workflow resolved above');

  const channelName = input.taskChannel ?? 'default';
  const channel = state.taskChannels.find((c) => c.workspaceSid === workspace.sid && (c.sid === channelName || c.uniqueName === channelName));
  if (!channel) throw invalidParameter(`TaskChannel ${channelName} not found in workspace ${workspace.sid}`);

  const queue = queuesOfConfiguration(workflow.configuration)
    .map((sid) => state.taskQueues.find((q) => q.sid === sid && q.workspaceSid === workspace.sid))
    .find((q) => q !== undefined);

  const now = new Date();
  const task: SimTask = {
    sid: newSid('WT'),
    workspaceSid: workspace.sid,
    attributes: input.attributes,
    assignmentStatus: 'pending',
    priority: input.priority ?? 0,
    timeout: input.timeout ?? DEFAULT_TASK_TIMEOUT_S,
    reason: null,
    workflowSid: workflow.sid,
    workflowFriendlyName: workflow.friendlyName,
    taskQueueSid: queue?.sid ?? null,
    taskQueueFriendlyName: queue?.friendlyName ?? null,
    taskChannelSid: channel.sid,
    taskChannelUniqueName: channel.uniqueName,
    taskQueueEnteredDate: queue ? now : null,
    virtualStartTime: now,
    dateCreated: now,
    dateUpdated: now,
  };
  state.tasks.push(task);
  return task;
}

export function registerTaskRouterRoutes(api: FastifyInstance, ctx: ApiContext): void {
  const { state } = ctx;
  const ws = '/taskrouter/v1/Workspaces/:WorkspaceSid';
  const pathOf = (request: FastifyRequest) => request.url.split('?')[0]!;

  function workspaceOf(request: FastifyRequest): SimWorkspace {
    const { WorkspaceSid } = request.params as { WorkspaceSid: string };
    const workspace = state.workspaces.find((w) => w.sid === WorkspaceSid);
    if (!workspace) throw notFound(pathOf(request));
    return workspace;
  }

  function findIn<T extends { sid: string; workspaceSid: string }>(list: T[], request: FastifyRequest, workspace: SimWorkspace): T {
    const { Sid } = request.params as { Sid: string };
    const found = list.find((item) => item.sid === Sid && item.workspaceSid === workspace.sid);
    if (!found) throw notFound(pathOf(request));
    return found;
  }

  function activityOf(workspace: SimWorkspace, sid: string | undefined, name: string): string | null {
    if (sid === undefined) return null;
    if (!workspace.activities.some((a) => a.sid === sid)) throw invalidParameter(`${name} ${sid} is not an Activity of workspace ${workspace.sid}`);
    return sid;
  }

  const listPath = (workspace: SimWorkspace, resource: string) => `/Workspaces/${workspace.sid}/${resource}`;

  /** A workflow's Configuration, checked as TaskRouter does: a JSON object with task_routing, naming queues of the workspace. */
  function workflowConfigurationParam(workspace: SimWorkspace, raw: string): string {
    const configuration = jsonObjectParam('Configuration', raw);
    if (typeof (JSON.parse(configuration) as WorkflowConfiguration).task_routing !== 'object') {
      throw invalidParameter('Configuration must contain a task_routing object');
    }
    for (const queueSid of queuesOfConfiguration(configuration)) {
      if (!state.taskQueues.some((q) => q.sid === queueSid && q.workspaceSid === workspace.sid)) {
        throw invalidParameter(`Configuration refers to TaskQueue ${queueSid}, which does not exist in workspace ${workspace.sid}`);
      }
    }
    return configuration;
  }

  // Workspaces
  api.get('/taskrouter/v1/Workspaces', async (request) => {
    const params = ctx.paramsOf(request);
    const friendlyName = param(params, 'FriendlyName');
    const matching = state.workspaces.filter((w) => friendlyName === undefined || w.friendlyName === friendlyName);
    const filters = friendlyNameFilter(friendlyName);
    return taskRouterPage('workspaces', matching.map((w) => workspaceResource(state, w)), '/Workspaces', filters, params);
  });

  api.get(ws, async (request) => workspaceResource(state, workspaceOf(request)));

  // Tasks
  api.post(`${ws}/Tasks`, async (request, reply) => {
    const workspace = workspaceOf(request);
    const params = ctx.paramsOf(request);
    enforceContract(ctx, 'CreateTask', params);
    const task = createSimTask(state, workspace, {
      attributes: jsonObjectParam('Attributes', param(params, 'Attributes') ?? '{}'),
      workflowSid: param(params, 'WorkflowSid'),
      taskChannel: param(params, 'TaskChannel'),
      priority: intParam(params, 'Priority', 0, 0, 2 ** 31 - 1),
      timeout: intParam(params, 'Timeout', DEFAULT_TASK_TIMEOUT_S, 1, 2_592_000),
    });
    return reply.code(201).send(taskResource(state, task));
  });

  api.get(`${ws}/Tasks`, async (request) => {
    const workspace = workspaceOf(request);
    const params = ctx.paramsOf(request);
    const statuses = paramValues(params, 'AssignmentStatus').flatMap((s) => s.split(',')).filter(Boolean);
    const workflowSid = param(params, 'WorkflowSid');
    const taskQueueSid = param(params, 'TaskQueueSid');
    const evaluate = param(params, 'EvaluateTaskAttributes');
    const attributeMatch = evaluate === undefined ? undefined : attributeEquality(evaluate);
    const matching = state.tasks.filter(
      (t) =>
        t.workspaceSid === workspace.sid &&
        (statuses.length === 0 || statuses.includes(t.assignmentStatus)) &&
        (workflowSid === undefined || t.workflowSid === workflowSid) &&
        (taskQueueSid === undefined || t.taskQueueSid === taskQueueSid) &&
        (attributeMatch === undefined || attributeMatch(t.attributes)),
    );
    const filters = {
      ...(statuses.length > 0 && { AssignmentStatus: statuses.join(',') }),
      ...(workflowSid !== undefined && { WorkflowSid: workflowSid }),
      ...(taskQueueSid !== undefined && { TaskQueueSid: taskQueueSid }),
      ...(evaluate !== undefined && { EvaluateTaskAttributes: evaluate }),
    };
    const now = new Date();
    return taskRouterPage('tasks', matching.map((t) => taskResource(state, t, now)), listPath(workspace, 'Tasks'), filters, params);
  });

  api.get(`${ws}/Tasks/:Sid`, async (request) => {
    const workspace = workspaceOf(request);
    return taskResource(state, findIn(state.tasks, request, workspace));
  });

  api.post(`${ws}/Tasks/:Sid`, async (request) => {
    const workspace = workspaceOf(request);
    const task = findIn(state.tasks, request, workspace);
    const params = ctx.paramsOf(request);
    enforceContract(ctx, 'UpdateTask', params);
    const attributes = param(params, 'Attributes');
    const status = param(params, 'AssignmentStatus') as TaskAssignmentStatus | undefined;
    if (status !== undefined && !API_STATUS_CHANGES[task.assignmentStatus].includes(status)) {
      throw invalidParameter(`Task ${task.sid} is ${task.assignmentStatus} and cannot be moved to ${status}`);
    }
    if (attributes !== undefined) task.attributes = jsonObjectParam('Attributes', attributes);
    if (status !== undefined) task.assignmentStatus = status;
    const reason = param(params, 'Reason');
    if (reason !== undefined) task.reason = reason;
    task.priority = intParam(params, 'Priority', task.priority, 0, 2 ** 31 - 1);
    task.dateUpdated = new Date();
    return taskResource(state, task);
  });

  api.delete(`${ws}/Tasks/:Sid`, async (request, reply) => {
    const workspace = workspaceOf(request);
    const task = findIn(state.tasks, request, workspace);
    state.tasks.splice(state.tasks.indexOf(task), 1);
    return reply.code(204).send();
  });

  // TaskQueues
  api.post(`${ws}/TaskQueues`, async (request, reply) => {
    const workspace = workspaceOf(request);
    const params = ctx.paramsOf(request);
    enforceContract(ctx, 'CreateTaskQueue', params);
    const now = new Date();
    const queue: SimTaskQueue = {
      sid: newSid('WQ'),
      workspaceSid: workspace.sid,
      friendlyName: param(params, 'FriendlyName')!,
      targetWorkers: param(params, 'TargetWorkers') ?? '1==1',
      maxReservedWorkers: intParam(params, 'MaxReservedWorkers', 1, 1, 50),
      taskOrder: param(params, 'TaskOrder') ?? 'FIFO',
      reservationActivitySid: activityOf(workspace, param(params, 'ReservationActivitySid'), 'ReservationActivitySid'),
      assignmentActivitySid: activityOf(workspace, param(params, 'AssignmentActivitySid'), 'AssignmentActivitySid'),
      dateCreated: now,
      dateUpdated: now,
    };
    state.taskQueues.push(queue);
    return reply.code(201).send(taskQueueResource(state, queue));
  });

  api.get(`${ws}/TaskQueues`, async (request) => {
    const workspace = workspaceOf(request);
    const params = ctx.paramsOf(request);
    const friendlyName = param(params, 'FriendlyName');
    const matching = state.taskQueues.filter(
      (q) => q.workspaceSid === workspace.sid && (friendlyName === undefined || q.friendlyName === friendlyName),
    );
    const filters = friendlyNameFilter(friendlyName);
    return taskRouterPage('task_queues', matching.map((q) => taskQueueResource(state, q)), listPath(workspace, 'TaskQueues'), filters, params);
  });

  api.get(`${ws}/TaskQueues/:Sid`, async (request) => taskQueueResource(state, findIn(state.taskQueues, request, workspaceOf(request))));

  // Only the parameters given change. Tasks already in the queue stay there (TaskRouter re-evaluates their workers).
  api.post(`${ws}/TaskQueues/:Sid`, async (request) => {
    const workspace = workspaceOf(request);
    const queue = findIn(state.taskQueues, request, workspace);
    const params = ctx.paramsOf(request);
    enforceContract(ctx, 'UpdateTaskQueue', params);
    const friendlyName = param(params, 'FriendlyName');
    if (friendlyName !== undefined) {
      if (friendlyName === '') throw invalidParameter('FriendlyName must not be empty');
      queue.friendlyName = friendlyName;
    }
    const targetWorkers = param(params, 'TargetWorkers');
    if (targetWorkers !== undefined) queue.targetWorkers = targetWorkers;
    queue.maxReservedWorkers = intParam(params, 'MaxReservedWorkers', queue.maxReservedWorkers, 1, 50);
    queue.taskOrder = param(params, 'TaskOrder') ?? queue.taskOrder;
    const reservationActivitySid = param(params, 'ReservationActivitySid');
    if (reservationActivitySid !== undefined) queue.reservationActivitySid = activityOf(workspace, reservationActivitySid, 'ReservationActivitySid');
    const assignmentActivitySid = param(params, 'AssignmentActivitySid');
    if (assignmentActivitySid !== undefined) queue.assignmentActivitySid = activityOf(workspace, assignmentActivitySid, 'AssignmentActivitySid');
    queue.dateUpdated = new Date();
    for (const task of state.tasks) if (task.taskQueueSid === queue.sid) task.taskQueueFriendlyName = queue.friendlyName;
    return taskQueueResource(state, queue);
  });

  // Workflows
  api.post(`${ws}/Workflows`, async (request, reply) => {
    const workspace = workspaceOf(request);
    const params = ctx.paramsOf(request);
    enforceContract(ctx, 'CreateWorkflow', params);
    const configuration = workflowConfigurationParam(workspace, param(params, 'Configuration')!);
    const now = new Date();
    const workflow: SimWorkflow = {
      sid: newSid('WW'),
      workspaceSid: workspace.sid,
      friendlyName: param(params, 'FriendlyName')!,
      configuration,
      taskReservationTimeout: intParam(params, 'TaskReservationTimeout', 120, 1, 86_400),
      assignmentCallbackUrl: param(params, 'AssignmentCallbackUrl') ?? null,
      fallbackAssignmentCallbackUrl: param(params, 'FallbackAssignmentCallbackUrl') ?? null,
      dateCreated: now,
      dateUpdated: now,
    };
    state.workflows.push(workflow);
    return reply.code(201).send(workflowResource(state, workflow));
  });

  api.get(`${ws}/Workflows`, async (request) => {
    const workspace = workspaceOf(request);
    const params = ctx.paramsOf(request);
    const friendlyName = param(params, 'FriendlyName');
    const matching = state.workflows.filter(
      (w) => w.workspaceSid === workspace.sid && (friendlyName === undefined || w.friendlyName === friendlyName),
    );
    const filters = friendlyNameFilter(friendlyName);
    return taskRouterPage('workflows', matching.map((w) => workflowResource(state, w)), listPath(workspace, 'Workflows'), filters, params);
  });

  api.get(`${ws}/Workflows/:Sid`, async (request) => workflowResource(state, findIn(state.workflows, request, workspaceOf(request))));

  // Only the parameters given change. With ReEvaluateTasks=true, its pending tasks move to the new routing's first queue.
  api.post(`${ws}/Workflows/:Sid`, async (request) => {
    const workspace = workspaceOf(request);
    const workflow = findIn(state.workflows, request, workspace);
    const params = ctx.paramsOf(request);
    enforceContract(ctx, 'UpdateWorkflow', params);
    const reEvaluate = param(params, 'ReEvaluateTasks');
    if (reEvaluate !== undefined && !/^(true|false)$/i.test(reEvaluate)) throw invalidParameter('ReEvaluateTasks must be true or false');
    const raw = param(params, 'Configuration');
    const configuration = raw === undefined ? undefined : workflowConfigurationParam(workspace, raw);
    const friendlyName = param(params, 'FriendlyName');
    if (friendlyName !== undefined) {
      if (friendlyName === '') throw invalidParameter('FriendlyName must not be empty');
      workflow.friendlyName = friendlyName;
    }
    if (configuration !== undefined) workflow.configuration = configuration;
    workflow.taskReservationTimeout = intParam(params, 'TaskReservationTimeout', workflow.taskReservationTimeout, 1, 86_400);
    const assignmentCallbackUrl = param(params, 'AssignmentCallbackUrl');
    if (assignmentCallbackUrl !== undefined) workflow.assignmentCallbackUrl = assignmentCallbackUrl || null;
    const fallbackAssignmentCallbackUrl = param(params, 'FallbackAssignmentCallbackUrl');
    if (fallbackAssignmentCallbackUrl !== undefined) workflow.fallbackAssignmentCallbackUrl = fallbackAssignmentCallbackUrl || null;
    const now = new Date();
    workflow.dateUpdated = now;
    const firstQueue = queuesOfConfiguration(workflow.configuration)
      .map((sid) => state.taskQueues.find((q) => q.sid === sid && q.workspaceSid === workspace.sid))
      .find((q) => q !== undefined);
    for (const task of state.tasks) {
      if (task.workflowSid !== workflow.sid) continue;
      task.workflowFriendlyName = workflow.friendlyName;
      if (reEvaluate?.toLowerCase() === 'true' && task.assignmentStatus === 'pending' && firstQueue && task.taskQueueSid !== firstQueue.sid) {
        Object.assign(task, { taskQueueSid: firstQueue.sid, taskQueueFriendlyName: firstQueue.friendlyName, taskQueueEnteredDate: now, dateUpdated: now });
      }
    }
    return workflowResource(state, workflow);
  });

  // TaskChannels
  api.post(`${ws}/TaskChannels`, async (request, reply) => {
    const workspace = workspaceOf(request);
    const params = ctx.paramsOf(request);
    enforceContract(ctx, 'CreateTaskChannel', params);
    const uniqueName = param(params, 'UniqueName')!;
    if (state.taskChannels.some((c) => c.workspaceSid === workspace.sid && c.uniqueName === uniqueName)) {
      throw invalidParameter(`A TaskChannel with UniqueName ${uniqueName} already exists in workspace ${workspace.sid}`);
    }
    const now = new Date();
    const channel: SimTaskChannel = {
      sid: newSid('TC'),
      workspaceSid: workspace.sid,
      friendlyName: param(params, 'FriendlyName')!,
      uniqueName,
      channelOptimizedRouting: (param(params, 'ChannelOptimizedRouting') ?? 'false').toLowerCase() === 'true',
      dateCreated: now,
      dateUpdated: now,
    };
    state.taskChannels.push(channel);
    return reply.code(201).send(taskChannelResource(state, channel));
  });

  api.get(`${ws}/TaskChannels`, async (request) => {
    const workspace = workspaceOf(request);
    const params = ctx.paramsOf(request);
    const matching = state.taskChannels.filter((c) => c.workspaceSid === workspace.sid);
    return taskRouterPage('channels', matching.map((c) => taskChannelResource(state, c)), listPath(workspace, 'TaskChannels'), {}, params);
  });

  // Fetchable by sid or unique name.
  api.get(`${ws}/TaskChannels/:Sid`, async (request) => {
    const workspace = workspaceOf(request);
    const { Sid } = request.params as { Sid: string };
    const channel = state.taskChannels.find((c) => c.workspaceSid === workspace.sid && (c.sid === Sid || c.uniqueName === Sid));
    if (!channel) throw notFound(pathOf(request));
    return taskChannelResource(state, channel);
  });

  // Workers
  api.post(`${ws}/Workers`, async (request, reply) => {
    const workspace = workspaceOf(request);
    const params = ctx.paramsOf(request);
    enforceContract(ctx, 'CreateWorker', params);
    const now = new Date();
    const worker: SimWorker = {
      sid: newSid('WK'),
      workspaceSid: workspace.sid,
      friendlyName: param(params, 'FriendlyName')!,
      attributes: jsonObjectParam('Attributes', param(params, 'Attributes') ?? '{}'),
      activitySid: activityOf(workspace, param(params, 'ActivitySid'), 'ActivitySid') ?? workspace.defaultActivitySid,
      dateCreated: now,
      dateUpdated: now,
      dateStatusChanged: now,
    };
    state.workers.push(worker);
    return reply.code(201).send(workerResource(state, worker));
  });

  api.get(`${ws}/Workers`, async (request) => {
    const workspace = workspaceOf(request);
    const params = ctx.paramsOf(request);
    const friendlyName = param(params, 'FriendlyName');
    const matching = state.workers.filter(
      (w) => w.workspaceSid === workspace.sid && (friendlyName === undefined || w.friendlyName === friendlyName),
    );
    const filters = friendlyNameFilter(friendlyName);
    return taskRouterPage('workers', matching.map((w) => workerResource(state, w)), listPath(workspace, 'Workers'), filters, params);
  });

  api.get(`${ws}/Workers/:Sid`, async (request) => workerResource(state, findIn(state.workers, request, workspaceOf(request))));
}

/**
 * `EvaluateTaskAttributes` of the Tasks list, for the one form this project uses: `a.b.c == "value"` (or
 * 'value'). TaskRouter's full expression language is not simulated: anything else is a 400.
 */
function attributeEquality(expression: string): (attributesJson: string) => boolean {
  const m = /^\s*([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)\s*==\s*(?:"([^"]*)"|'([^']*)')\s*$/.exec(expression);
  if (!m) throw invalidParameter(`EvaluateTaskAttributes: the simulator understands only <attribute.path> == "<value>", not ${expression}`);
  const path = m[1]!.split('.');
  const value = m[2] ?? m[3];
  return (attributesJson) => {
    let v: unknown = JSON.parse(attributesJson);
    for (const key of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
    return v === value;
  };
}
