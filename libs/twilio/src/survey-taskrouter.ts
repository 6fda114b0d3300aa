import type { TwilioClient } from './client.js';
import {
  DEFAULT_SURVEY_TASKROUTER_NAMES,
  SURVEY_QUEUE_TARGET_WORKERS,
  SURVEY_WORKFLOW_TIMEOUT_S,
  planSteps,
  planSurveyTaskRouter,
  surveyWorkflowConfiguration,
  type Difference,
  type PlanStep,
  type SurveyTaskRouterNames,
  type SurveyTaskRouterPlan,
  type SurveyTaskRouterSnapshot,
} from './survey-taskrouter-plan.js';

export interface SurveyTaskRouter {
  workspaceSid: string;
  queueSid: string;
  workflowSid: string;
  channelSid: string;
  channelUniqueName: string;
  /** `TaskQueue WQ…`, … for each resource created. */
  created: string[];
  /** `TaskQueue WQ…`, … for each resource updated to what survey tasks need. */
  updated: string[];
  /** What still differs from what survey tasks need (resources found different and not updated). */
  differences: Array<{ kind: PlanStep['kind']; sid: string; differences: Difference[] }>;
}

/** The workspace to use: the configured one, else the account's only (or first) workspace. */
export async function resolveWorkspaceSid(client: TwilioClient, configured?: string): Promise<string> {
  if (configured) return configured;
  const [first] = await client.taskrouter.v1.workspaces.list({ limit: 1 });
  if (!first) throw new Error('no TaskRouter workspace found; set TWILIO_WORKSPACE_SID');
  return first.sid;
}

/** Reads what the plan compares: every TaskQueue (for their names), the workflows with the name, every task channel. */
export async function readSurveyTaskRouter(client: TwilioClient, workspaceSid: string, names: SurveyTaskRouterNames): Promise<SurveyTaskRouterSnapshot> {
  const ws = client.taskrouter.v1.workspaces(workspaceSid);
  const [queues, workflows, channels] = await Promise.all([
    ws.taskQueues.list({ pageSize: 1000 }),
    ws.workflows.list({ friendlyName: names.workflow, pageSize: 1000 }),
    ws.taskChannels.list({ pageSize: 1000 }),
  ]);
  return {
    queues: queues.map((q) => ({ sid: q.sid, friendlyName: q.friendlyName, targetWorkers: q.targetWorkers ?? null })),
    workflows: workflows.map((w) => ({ sid: w.sid, friendlyName: w.friendlyName, configuration: w.configuration, taskReservationTimeout: w.taskReservationTimeout })),
    channels: channels.map((c) => ({ sid: c.sid, uniqueName: c.uniqueName, friendlyName: c.friendlyName })),
  };
}

const sidOf = (step: PlanStep) => (step.action === 'create' ? undefined : step.sid);

/**
 * Carries out a plan: creates what is missing and updates what it says to update (only the fields that differ),
 * queue first, so that the workflow's configuration can name the queue's sid.
 */
export async function applySurveyTaskRouterPlan(client: TwilioClient, workspaceSid: string, plan: SurveyTaskRouterPlan): Promise<SurveyTaskRouter> {
  const ws = client.taskrouter.v1.workspaces(workspaceSid);
  const created: string[] = [];
  const updated: string[] = [];

  let queueSid = sidOf(plan.queue);
  if (plan.queue.action === 'create') {
    queueSid = (await ws.taskQueues.create({ friendlyName: plan.queue.name, targetWorkers: SURVEY_QUEUE_TARGET_WORKERS })).sid;
    created.push(`TaskQueue ${queueSid}`);
  } else if (plan.queue.action === 'update') {
    await ws.taskQueues(plan.queue.sid).update({ targetWorkers: SURVEY_QUEUE_TARGET_WORKERS });
    updated.push(`TaskQueue ${plan.queue.sid}`);
  }
  if (queueSid === undefined) throw new Error('unreachable: the queue was found or created above');

  const configuration = JSON.stringify(surveyWorkflowConfiguration(queueSid));
  let workflowSid = sidOf(plan.workflow);
  if (plan.workflow.action === 'create') {
    workflowSid = (await ws.workflows.create({ friendlyName: plan.workflow.name, configuration, taskReservationTimeout: SURVEY_WORKFLOW_TIMEOUT_S })).sid;
    created.push(`Workflow ${workflowSid}`);
  } else if (plan.workflow.action === 'update') {
    const fields = new Set(plan.workflow.differences.map((d) => d.field));
    await ws.workflows(plan.workflow.sid).update({
      ...(fields.has('routing') && { configuration, reEvaluateTasks: 'true' }),
      ...(fields.has('task reservation timeout') && { taskReservationTimeout: SURVEY_WORKFLOW_TIMEOUT_S }),
    });
    updated.push(`Workflow ${plan.workflow.sid}`);
  }
  if (workflowSid === undefined) throw new Error('unreachable: the workflow was found or created above');

  let channelSid = sidOf(plan.channel);
  if (plan.channel.action === 'create') {
    // The channel's friendly name is the queue's ("Survey"), as seed 000 names it.
    channelSid = (await ws.taskChannels.create({ friendlyName: plan.queue.name, uniqueName: plan.channel.name })).sid;
    created.push(`TaskChannel ${channelSid}`);
  }
  if (channelSid === undefined) throw new Error('unreachable: the channel was found or created above');

  const differences = planSteps(plan).flatMap((step) => (step.action === 'differs' ? [{ kind: step.kind, sid: step.sid, differences: step.differences }] : []));
  return { workspaceSid, queueSid, workflowSid, channelSid, channelUniqueName: plan.channel.name, created, updated, differences };
}

/**
 * Finds or creates, by name, what survey tasks need in Flex (seed 000): a "Survey" queue no worker matches
 * (`1 == 0`), a "Survey" workflow routing to it with a 3 s timeout, and a "survey" task channel. Idempotent:
 * running it twice creates nothing the second time. Resources found different are left as they are and listed
 * in `differences` (`npm run provision-flex -- --fix` updates them).
 */
export async function ensureSurveyTaskRouter(
  client: TwilioClient,
  workspaceSid: string,
  names: SurveyTaskRouterNames = DEFAULT_SURVEY_TASKROUTER_NAMES,
): Promise<SurveyTaskRouter> {
  const plan = planSurveyTaskRouter(await readSurveyTaskRouter(client, workspaceSid, names), names, { fix: false });
  return applySurveyTaskRouterPlan(client, workspaceSid, plan);
}
