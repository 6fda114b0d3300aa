import type { TwilioClient } from './client.js';
import { inTwilioSpan } from './tracing.js';

export interface CreateTaskParams {
  workflowSid: string;
  /** Task channel unique name (e.g. `sms`) or `TC…` sid. */
  taskChannel: string;
  attributes: object;
  priority?: number;
  /** Seconds before TaskRouter cancels the task if no worker accepted it. */
  timeout?: number;
}

/** TaskRouter `tasks.create`, in a span with the workspace, workflow and the new task's sid (never its attributes). */
export async function createTask(client: TwilioClient, workspaceSid: string, params: CreateTaskParams): Promise<{ sid: string }> {
  return inTwilioSpan(
    'taskrouter.tasks.create',
    {
      'http.request.method': 'POST',
      'url.template': '/v1/Workspaces/{WorkspaceSid}/Tasks',
      'twilio.workspace_sid': workspaceSid,
      'twilio.workflow_sid': params.workflowSid,
      'twilio.task_channel': params.taskChannel,
    },
    async () => {
      const task = await client.taskrouter.v1.workspaces(workspaceSid).tasks.create({
        workflowSid: params.workflowSid,
        taskChannel: params.taskChannel,
        attributes: JSON.stringify(params.attributes),
        ...(params.priority !== undefined && { priority: params.priority }),
        ...(params.timeout !== undefined && { timeout: params.timeout }),
      });
      return { sid: task.sid };
    },
    (task, span) => span.setAttribute('twilio.task_sid', task.sid),
  );
}

/** The tasks of a workspace whose attributes match a TaskRouter expression (e.g. `survey.session_id == "…"`), any status. */
export async function findTasks(client: TwilioClient, workspaceSid: string, evaluateTaskAttributes: string): Promise<{ sid: string; assignmentStatus: string }[]> {
  const tasks = await client.taskrouter.v1.workspaces(workspaceSid).tasks.list({ evaluateTaskAttributes, limit: 20 });
  return tasks.map((t) => ({ sid: t.sid, assignmentStatus: t.assignmentStatus }));
}

export type TaskEndStatus = 'canceled' | 'completed';

/**
 * Ends a task with a reason: TaskRouter only lets pending/reserved tasks be canceled, and assigned/wrapping
 * ones be completed, so the task's current status decides which. A task that already ended is left as it is.
 */
export async function completeOrCancelTask(
  client: TwilioClient,
  workspaceSid: string,
  taskSid: string,
  reason: string,
): Promise<{ sid: string; assignmentStatus: string }> {
  return inTwilioSpan(
    'taskrouter.tasks.end',
    { 'url.template': '/v1/Workspaces/{WorkspaceSid}/Tasks/{TaskSid}', 'twilio.workspace_sid': workspaceSid, 'twilio.task_sid': taskSid },
    () => endTask(client, workspaceSid, taskSid, reason),
    (ended, span) => span.setAttribute('twilio.task_assignment_status', ended.assignmentStatus),
  );
}

async function endTask(client: TwilioClient, workspaceSid: string, taskSid: string, reason: string): Promise<{ sid: string; assignmentStatus: string }> {
  const taskContext = client.taskrouter.v1.workspaces(workspaceSid).tasks(taskSid);
  const task = await taskContext.fetch();
  let endStatus: TaskEndStatus;
  switch (task.assignmentStatus) {
    case 'pending':
    case 'reserved':
      endStatus = 'canceled';
      break;
    case 'assigned':
    case 'wrapping':
      endStatus = 'completed';
      break;
    default:
      return { sid: task.sid, assignmentStatus: task.assignmentStatus };
  }
  const updated = await taskContext.update({ assignmentStatus: endStatus, reason });
  return { sid: updated.sid, assignmentStatus: updated.assignmentStatus };
}
