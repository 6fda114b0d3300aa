// What survey tasks need in the Flex workspace (seed 000's "Survey TaskRouter Setup") and how what exists differs
// from it: pure functions over what was read from TaskRouter, no I/O. survey-taskrouter.ts reads and applies.

/** The Survey queue matches no worker: survey tasks are records for Flex Insights, never offered to an agent. */
export const SURVEY_QUEUE_TARGET_WORKERS = '1 == 0';
/** Seed 000: "set the timeout to 3 seconds" (the workflow's task reservation timeout; also each routing step's). */
export const SURVEY_WORKFLOW_TIMEOUT_S = 3;

export interface SurveyTaskRouterNames {
  queue: string;
  workflow: string;
  /** Unique name of the survey task channel. */
  channel: string;
}

export const DEFAULT_SURVEY_TASKROUTER_NAMES: SurveyTaskRouterNames = { queue: 'Survey', workflow: 'Survey', channel: 'survey' };

export interface FoundTaskQueue {
  sid: string;
  friendlyName: string;
  targetWorkers: string | null;
}

export interface FoundWorkflow {
  sid: string;
  friendlyName: string;
  /** The workflow's configuration as TaskRouter answers it (JSON text). */
  configuration: string;
  taskReservationTimeout: number;
}

export interface FoundTaskChannel {
  sid: string;
  uniqueName: string;
  friendlyName: string;
}

/** What the workspace holds: every TaskQueue (their names describe routing), the workflows and the task channels. */
export interface SurveyTaskRouterSnapshot {
  queues: FoundTaskQueue[];
  workflows: FoundWorkflow[];
  channels: FoundTaskChannel[];
}

/** The workflow configuration survey tasks need: every task to the Survey queue, 3 s per step. */
export function surveyWorkflowConfiguration(queueSid: string) {
  return {
    task_routing: {
      filters: [{ filter_friendly_name: 'Survey', expression: '1 == 1', targets: [{ queue: queueSid, timeout: SURVEY_WORKFLOW_TIMEOUT_S }] }],
      default_filter: { queue: queueSid },
    },
  };
}

export type DifferenceField = 'target workers' | 'routing' | 'task reservation timeout';

/** One way a resource is not what survey tasks need: the value found, and the value required, as text. */
export interface Difference {
  field: DifferenceField;
  found: string;
  required: string;
}

const compact = (expression: string) => expression.replace(/\s+/g, '');

/** Whether a queue's target workers expression is `1 == 0` (spacing aside). */
export function queueDifferences(queue: FoundTaskQueue): Difference[] {
  if (queue.targetWorkers !== null && compact(queue.targetWorkers) === compact(SURVEY_QUEUE_TARGET_WORKERS)) return [];
  return [{ field: 'target workers', found: describeTargetWorkers(queue.targetWorkers), required: `"${SURVEY_QUEUE_TARGET_WORKERS}"` }];
}

export const describeTargetWorkers = (targetWorkers: string | null) => (targetWorkers === null ? '(none)' : `"${targetWorkers}"`);

/** One place a workflow configuration sends tasks: a filter's target, or the default filter. */
export interface RoutingStep {
  /** `filter "<name>"` (or `filter N` without a name), or `default`. */
  from: string;
  /** The target queue's sid; undefined when the step names no queue. */
  queue: string | undefined;
  /** A filter target's timeout, seconds. */
  timeout?: number;
}

export type ParsedRouting = { ok: true; steps: RoutingStep[]; hasDefault: boolean } | { ok: false; problem: string };

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Where a workflow configuration routes tasks: each filter's targets in order, then the default filter. */
export function parseRouting(configuration: string): ParsedRouting {
  let parsed: unknown;
  try {
    parsed = JSON.parse(configuration);
  } catch {
    return { ok: false, problem: 'configuration is not valid JSON' };
  }
  const routing = isObject(parsed) ? parsed['task_routing'] : undefined;
  if (!isObject(routing)) return { ok: false, problem: 'configuration has no task_routing' };
  const steps: RoutingStep[] = [];
  const filters = Array.isArray(routing['filters']) ? (routing['filters'] as unknown[]) : [];
  filters.forEach((filter, index) => {
    const name = isObject(filter) && typeof filter['filter_friendly_name'] === 'string' ? `filter "${filter['filter_friendly_name']}"` : `filter ${index + 1}`;
    const targets = isObject(filter) && Array.isArray(filter['targets']) ? (filter['targets'] as unknown[]) : [];
    if (targets.length === 0) steps.push({ from: name, queue: undefined });
    for (const target of targets) {
      const queue = isObject(target) && typeof target['queue'] === 'string' ? target['queue'] : undefined;
      const timeout = isObject(target) && typeof target['timeout'] === 'number' ? target['timeout'] : undefined;
      steps.push({ from: name, queue, ...(timeout !== undefined && { timeout }) });
    }
  });
  const defaultFilter = routing['default_filter'];
  const hasDefault = isObject(defaultFilter);
  if (hasDefault) steps.push({ from: 'default', queue: typeof defaultFilter['queue'] === 'string' ? defaultFilter['queue'] : undefined });
  return { ok: true, steps, hasDefault };
}

/** A queue as the report names it: `"Survey" WQ…`, or only the sid when the workspace has no such queue. */
export function describeQueue(sid: string | undefined, queues: readonly FoundTaskQueue[]): string {
  if (sid === undefined) return 'no queue';
  const queue = queues.find((q) => q.sid === sid);
  return queue ? `"${queue.friendlyName}" ${sid}` : `${sid} (not a queue of this workspace)`;
}

/** Where a configuration sends tasks, as found: `filter "Survey" → "Survey" WQ… (timeout 3 s); default → "Survey" WQ…`. */
export function describeRouting(configuration: string, queues: readonly FoundTaskQueue[]): string {
  const routing = parseRouting(configuration);
  if (!routing.ok) return routing.problem;
  if (routing.steps.length === 0) return 'no filters and no default filter';
  const steps = routing.steps.map((s) => `${s.from} → ${describeQueue(s.queue, queues)}${s.timeout !== undefined ? ` (timeout ${s.timeout} s)` : ''}`);
  return `${steps.join('; ')}${routing.hasDefault ? '' : '; no default filter'}`;
}

/**
 * How a workflow differs from what survey tasks need: every filter target and the default filter route to the
 * Survey queue (so every task ends up there, whatever its attributes), and the task reservation timeout is 3 s.
 * `surveyQueueSid` undefined: the Survey queue does not exist yet, so no routing can be right.
 */
export function workflowDifferences(
  workflow: FoundWorkflow,
  surveyQueueSid: string | undefined,
  queues: readonly FoundTaskQueue[],
  surveyQueueName = DEFAULT_SURVEY_TASKROUTER_NAMES.queue,
): Difference[] {
  const differences: Difference[] = [];
  const routing = parseRouting(workflow.configuration);
  const routesOnlyToSurveyQueue =
    surveyQueueSid !== undefined && routing.ok && routing.hasDefault && routing.steps.every((step) => step.queue === surveyQueueSid);
  if (!routesOnlyToSurveyQueue) {
    const target = surveyQueueSid === undefined ? `"${surveyQueueName}" (to be created)` : describeQueue(surveyQueueSid, queues);
    differences.push({ field: 'routing', found: describeRouting(workflow.configuration, queues), required: `every filter target and the default filter → ${target}` });
  }
  if (workflow.taskReservationTimeout !== SURVEY_WORKFLOW_TIMEOUT_S) {
    differences.push({ field: 'task reservation timeout', found: `${workflow.taskReservationTimeout} s`, required: `${SURVEY_WORKFLOW_TIMEOUT_S} s` });
  }
  return differences;
}

export type ResourceKind = 'TaskQueue' | 'Workflow' | 'TaskChannel';

/**
 * What to do about one resource:
 * - `fine`: found, and as survey tasks need it;
 * - `create`: not found by its name;
 * - `update`: found but different, and fixing was asked for (`differences` says what changes);
 * - `differs`: found but different, left as it is (fixing was not asked for).
 */
export type PlanStep =
  | { kind: ResourceKind; name: string; action: 'create' }
  | { kind: ResourceKind; name: string; action: 'fine' | 'update' | 'differs'; sid: string; found: string; differences: Difference[]; sameName: string[] };

export interface SurveyTaskRouterPlan {
  queue: PlanStep;
  workflow: PlanStep;
  channel: PlanStep;
}

export interface PlanOptions {
  /** Update resources that differ (`--fix`); otherwise they are only reported. */
  fix: boolean;
}

const describeWorkflow = (workflow: FoundWorkflow, queues: readonly FoundTaskQueue[]) =>
  `${describeRouting(workflow.configuration, queues)}; task reservation timeout ${workflow.taskReservationTimeout} s`;

function existingStep(kind: ResourceKind, name: string, sid: string, found: string, differences: Difference[], sameName: string[], options: PlanOptions): PlanStep {
  const action = differences.length === 0 ? 'fine' : options.fix ? 'update' : 'differs';
  return { kind, name, action, sid, found, differences, sameName };
}

/**
 * Compares what the workspace holds, by name, with what survey tasks need, and says what to do about each
 * resource. When several resources have the name, the first listed is the one used (as insights-sync does);
 * `sameName` lists the others.
 */
export function planSurveyTaskRouter(snapshot: SurveyTaskRouterSnapshot, names: SurveyTaskRouterNames, options: PlanOptions): SurveyTaskRouterPlan {
  const queues = snapshot.queues.filter((q) => q.friendlyName === names.queue);
  const [queue] = queues;
  const workflows = snapshot.workflows.filter((w) => w.friendlyName === names.workflow);
  const [workflow] = workflows;
  const channel = snapshot.channels.find((c) => c.uniqueName === names.channel);
  const others = <T extends { sid: string }>(list: T[]) => list.slice(1).map((item) => item.sid);

  return {
    queue: queue
      ? existingStep('TaskQueue', names.queue, queue.sid, `target workers ${describeTargetWorkers(queue.targetWorkers)}`, queueDifferences(queue), others(queues), options)
      : { kind: 'TaskQueue', name: names.queue, action: 'create' },
    workflow: workflow
      ? existingStep('Workflow', names.workflow, workflow.sid, describeWorkflow(workflow, snapshot.queues), workflowDifferences(workflow, queue?.sid, snapshot.queues, names.queue), others(workflows), options)
      : { kind: 'Workflow', name: names.workflow, action: 'create' },
    // A task channel is found by its unique name and has nothing survey tasks depend on besides it.
    channel: channel
      ? existingStep('TaskChannel', names.channel, channel.sid, `friendly name "${channel.friendlyName}"`, [], [], options)
      : { kind: 'TaskChannel', name: names.channel, action: 'create' },
  };
}

export const planSteps = (plan: SurveyTaskRouterPlan): PlanStep[] => [plan.queue, plan.workflow, plan.channel];

/** Whether the workspace is as survey tasks need it once the plan has been carried out. */
export const reachesRequiredState = (plan: SurveyTaskRouterPlan): boolean => planSteps(plan).every((s) => s.action !== 'differs');

/** Whether the workspace is already as survey tasks need it (nothing to create or update). */
export const alreadyInRequiredState = (plan: SurveyTaskRouterPlan): boolean => planSteps(plan).every((s) => s.action === 'fine');
