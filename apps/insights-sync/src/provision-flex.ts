import {
  SURVEY_QUEUE_TARGET_WORKERS,
  SURVEY_WORKFLOW_TIMEOUT_S,
  alreadyInRequiredState,
  applySurveyTaskRouterPlan,
  planSteps,
  planSurveyTaskRouter,
  reachesRequiredState,
  readSurveyTaskRouter,
  resolveWorkspaceSid,
  twilioClientFor,
  type PlanStep,
  type SurveyTaskRouter,
  type SurveyTaskRouterPlan,
} from '@sms-survey/twilio';
import type { ProvisionFlexConfig } from './cli/provision-flex-config.js';

export interface ProvisionFlexOptions {
  /** `--fix`: update resources that differ from what survey tasks need. Without it they are only reported. */
  fix: boolean;
  /** `--dry-run`: read and print the plan, change nothing. */
  dryRun: boolean;
}

/** 0: the workspace is as survey tasks need it; 3: it is not (differences left, or a dry run with something to do). */
export const EXIT_NOT_AS_REQUIRED = 3;

export interface ProvisionFlexOutcome {
  exitCode: 0 | typeof EXIT_NOT_AS_REQUIRED;
  workspaceSid: string;
  plan: SurveyTaskRouterPlan;
  /** What was created and updated; undefined on a dry run. */
  result?: SurveyTaskRouter;
}

export const PROVISION_FLEX_USAGE = `usage: npm run provision-flex [-- [--fix] [--dry-run]]
  Finds the Survey TaskQueue, Workflow and TaskChannel in the Flex workspace by name, compares them with what
  survey tasks need and creates what is missing (docs/flex.md).
  --fix      also update resources that differ (otherwise they are listed, nothing is changed, exit 3)
  --dry-run  print what would be created or updated (with --fix: updated too) and change nothing
  exit: 0 the workspace is as survey tasks need it; 1 bad configuration or Twilio failed; 2 bad usage; 3 it is not`;

export type ParsedArgs = { ok: true; options: ProvisionFlexOptions } | { ok: false; help: boolean; problem?: string };

/** The command line: `--fix`, `--dry-run`, `--help`; anything else is refused. */
export function parseProvisionFlexArgs(args: readonly string[]): ParsedArgs {
  const options: ProvisionFlexOptions = { fix: false, dryRun: false };
  for (const arg of args) {
    if (arg === '--fix') options.fix = true;
    else if (arg === '--dry-run') options.dryRun = true;
    else if (arg === '--help' || arg === '-h') return { ok: false, help: true };
    else return { ok: false, help: false, problem: `unknown argument ${arg}` };
  }
  return { ok: true, options };
}

const KIND_WIDTH = 13;
const INDENT = ' '.repeat(KIND_WIDTH);

/** What a create step makes, as the report says it. */
function createdAs(step: PlanStep, queue: { name: string; sid: string | undefined }): string {
  switch (step.kind) {
    case 'TaskQueue':
      return `target workers "${SURVEY_QUEUE_TARGET_WORKERS}"`;
    case 'Workflow':
      return `every task → "${queue.name}" ${queue.sid ?? '(new)'} (timeout ${SURVEY_WORKFLOW_TIMEOUT_S} s); task reservation timeout ${SURVEY_WORKFLOW_TIMEOUT_S} s`;
    case 'TaskChannel':
      return `friendly name "${queue.name}"`;
  }
}

function stepStatus(step: PlanStep, dryRun: boolean): string {
  switch (step.action) {
    case 'create':
      return dryRun ? 'not found: would be created' : 'created';
    case 'fine':
      return 'found, fine';
    case 'update':
      return dryRun ? 'found, differs: would be updated' : 'found, differs: updated';
    case 'differs':
      return 'found, DIFFERS: not changed (--fix updates it)';
  }
}

/** The lines that report one resource: what was found (or made), what it is, and each difference found → required. */
export function reportStep(step: PlanStep, options: { dryRun: boolean; createdSid?: string | undefined; queue: { name: string; sid: string | undefined } }): string[] {
  const kind = step.kind.padEnd(KIND_WIDTH);
  if (step.action === 'create') {
    const sid = options.createdSid ?? '(new)';
    return [`${kind}${sid}  "${step.name}"  ${createdAs(step, options.queue)}  ${stepStatus(step, options.dryRun)}`];
  }
  return [
    `${kind}${step.sid}  "${step.name}"  ${step.found}  ${stepStatus(step, options.dryRun)}`,
    ...step.differences.map((d) => `${INDENT}${d.field}: found ${d.found}; required ${d.required}`),
    ...(step.sameName.length ? [`${INDENT}also named "${step.name}", not used: ${step.sameName.join(', ')}`] : []),
  ];
}

const fieldsOf = (step: PlanStep) => (step.action === 'create' ? '' : ` (${step.differences.map((d) => d.field).join(', ')})`);
const refOf = (step: PlanStep) => (step.action === 'create' ? `${step.kind} "${step.name}"` : `${step.kind} ${step.sid}`);

/** The closing lines: what was done (or would be), what still differs, and what insights-sync needs. */
export function reportSummary(plan: SurveyTaskRouterPlan, options: ProvisionFlexOptions, result?: SurveyTaskRouter): string[] {
  const steps = planSteps(plan);
  const left = steps.filter((s) => s.action === 'differs');
  const lines: string[] = [];
  if (options.dryRun) {
    const todo = steps.filter((s) => s.action === 'create' || s.action === 'update');
    const plannedAs = (s: PlanStep) => `${s.action} ${refOf(s)}${s.action === 'update' ? fieldsOf(s) : ''}`;
    lines.push(todo.length ? `dry run, nothing changed; the plan: ${todo.map(plannedAs).join(', ')}` : 'dry run, nothing changed; nothing to create or update');
  } else if (result) {
    if (result.created.length) lines.push(`created ${result.created.length}: ${result.created.join(', ')}`);
    if (result.updated.length) lines.push(`updated ${result.updated.length}: ${result.updated.join(', ')}`);
    if (alreadyInRequiredState(plan)) lines.push('nothing to create: already provisioned, all found and fine');
  }
  if (left.length) {
    lines.push(
      `${left.length} ${left.length === 1 ? 'differs' : 'differ'} from what survey tasks need, not changed: ${left.map((s) => `${refOf(s)}${fieldsOf(s)}`).join(', ')}; ` +
        'run with --fix to update (with --dry-run --fix to see the plan first)',
    );
  }
  if (result && left.length === 0) {
    lines.push(`insights-sync: TWILIO_WORKSPACE_SID=${result.workspaceSid} TWILIO_SURVEY_WORKFLOW_SID=${result.workflowSid} SURVEY_TASK_CHANNEL=${result.channelUniqueName}`);
  }
  return lines;
}

/**
 * Compares what the Flex workspace holds, by name, with what survey tasks need (seed 000's "Survey TaskRouter
 * Setup": the Survey TaskQueue `1 == 0`, so no agent ever gets a survey task; the Survey Workflow routing every
 * task to it with a 3 s timeout; the survey TaskChannel) and prints each resource as found. Creates what is
 * missing; with `fix`, updates what differs; with `dryRun`, only prints the plan. Idempotent: a run on a workspace
 * as required changes nothing and reports everything found and fine.
 */
export async function provisionFlex(
  config: ProvisionFlexConfig,
  options: ProvisionFlexOptions = { fix: false, dryRun: false },
  print: (line: string) => void = console.log,
): Promise<ProvisionFlexOutcome> {
  const client = twilioClientFor(config.twilio);
  print(config.twilio.simulated ? `Twilio simulator at ${config.twilio.apiBaseUrl} (no TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN set)` : `Twilio account ${config.twilio.accountSid}`);
  const workspaceSid = await resolveWorkspaceSid(client, config.TWILIO_WORKSPACE_SID);
  print(`Workspace    ${workspaceSid}`);
  const names = { queue: config.SURVEY_TASK_QUEUE_NAME, workflow: config.SURVEY_WORKFLOW_NAME, channel: config.SURVEY_TASK_CHANNEL };
  const plan = planSurveyTaskRouter(await readSurveyTaskRouter(client, workspaceSid, names), names, { fix: options.fix });
  const result = options.dryRun ? undefined : await applySurveyTaskRouterPlan(client, workspaceSid, plan);

  const createdSid = (kind: PlanStep['kind']) => result?.created.find((c) => c.startsWith(`${kind} `))?.slice(kind.length + 1);
  const queue = { name: plan.queue.name, sid: result?.queueSid ?? (plan.queue.action === 'create' ? undefined : plan.queue.sid) };
  for (const step of planSteps(plan)) {
    for (const line of reportStep(step, { dryRun: options.dryRun, createdSid: createdSid(step.kind), queue })) print(line);
  }
  for (const line of reportSummary(plan, options, result)) print(line);

  const asRequired = options.dryRun ? alreadyInRequiredState(plan) : reachesRequiredState(plan);
  return { exitCode: asRequired ? 0 : EXIT_NOT_AS_REQUIRED, workspaceSid, plan, ...(result && { result }) };
}
