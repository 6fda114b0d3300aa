import { uuidFromName, type FlexTaskLifecycle, type SurveySendRequested } from '@sms-survey/contracts';
import { decideFlexSurvey, planFlexSurvey, type FlexSkipReason, type FlexSurveyPolicy, type FlexSurveyRefusal } from '@sms-survey/survey-domain';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { Scene, SceneNeeds } from '../scene.js';
import { startSurveySession, surveySendNeeds, type SurveySendDeps } from './survey-send.handler.js';

/** What became of a flex task event: a survey, or why not. */
export type FlexTaskOutcome = 'survey-started' | FlexSkipReason | FlexSurveyRefusal;

export interface FlexTaskResult {
  outcome: FlexTaskOutcome;
  policyIndex?: number;
  policyName?: string;
  customer?: string;
  surveyId?: string;
  sessionId?: string;
}

export interface FlexTaskDeps extends SurveySendDeps {
  flexPolicies: readonly FlexSurveyPolicy[];
}

/** The session a task's survey gets: one per task, whichever event starts it. */
export function flexSurveySessionId(taskSid: string): string {
  return uuidFromName(`flex-survey:${taskSid}`);
}

export function flexTaskNeeds(event: FlexTaskLifecycle, deps: FlexTaskDeps, now: Date, needs: SceneNeeds): void {
  const plan = planFlexSurvey(deps.flexPolicies, event.payload, now);
  if (plan.kind === 'skip') return;
  needs.flexTasks.set(event.payload.taskSid, { customer: plan.customer, surveyId: plan.surveyId });
  surveySendNeeds({ customer: plan.customer, sessionId: flexSurveySessionId(event.payload.taskSid) }, needs);
}

/**
 * A Flex task wrapped up, completed, was canceled, or the plugin asked for a survey (issue 5). The policy decides
 * (`planFlexSurvey`, then `decideFlexSurvey` with the facts the scene loaded under the customer's lock: one survey
 * per task, no suppressed customer, the fatigue rule); a survey is started as SendSurvey starts one, with the
 * survey's latest version, all in the consumer's exactly-once transaction.
 */
export async function applyFlexTaskEvent(scene: Scene, event: FlexTaskLifecycle, deps: FlexTaskDeps, now: Date): Promise<FlexTaskResult> {
  const task = event.payload;
  const plan = planFlexSurvey(deps.flexPolicies, task, now);
  if (plan.kind === 'skip') return { outcome: plan.reason, policyIndex: plan.policyIndex, policyName: plan.policyIndex === undefined ? undefined : deps.flexPolicies[plan.policyIndex]?.name };
  const { customer, surveyId, policy } = plan;
  const result = { policyIndex: plan.policyIndex, policyName: policy.name, customer, surveyId };
  const decision = decideFlexSurvey(
    plan,
    { alreadySurveyed: scene.taskClaimed(task.taskSid), suppressed: scene.isSuppressed(customer), lastFlexSurveyAt: scene.lastFlexSurvey(customer), latestVersion: scene.latestVersions.get(surveyId) },
    now,
  );
  if (decision.kind === 'refuse') return { outcome: decision.reason, ...result };

  const sessionId = flexSurveySessionId(task.taskSid);
  scene.claimTask(task.taskSid, sessionId);
  const command: SurveySendRequested['payload'] = {
    sessionId,
    surveyId,
    surveyVersion: decision.surveyVersion,
    customer,
    expiresAt: plan.expiresAt.toISOString(),
    userSessionVariables: plan.userSessionVariables,
    language: plan.language,
    origin: plan.origin,
    // The sender asked for (plugin, policy) replaces the default sender; subnumbering still applies where it does.
    sender: plan.senderNumber,
  };
  scene.outbox.add(await startSurveySession(scene, command, deps, now), event);
  return { outcome: 'survey-started', sessionId, ...result };
}

/** Outcomes that are routine for most tasks: logged at debug so busy workspaces do not flood the logs. */
const ROUTINE = new Set<FlexTaskOutcome | 'duplicate-event'>(['task-canceled', 'no-matching-policy', 'not-the-trigger', 'duplicate-event', 'already-surveyed']);

/** Counts every flex task event by type and outcome, and logs it (phone numbers masked by the logger). */
export function createFlexTaskReporter(registry: Registry, logger: Logger) {
  const events = new Counter({
    name: 'orchestrator_flex_task_events_total',
    help: 'Flex task events by event type and outcome (survey-started, or why no survey was sent)',
    labelNames: ['event_type', 'outcome'],
    registers: [registry],
  });
  return (event: FlexTaskLifecycle, result: FlexTaskResult | undefined): void => {
    const outcome = result?.outcome ?? 'duplicate-event';
    events.inc({ event_type: event.payload.eventType, outcome });
    const details = result ?? {};
    const fields = { eventId: event.id, taskSid: event.payload.taskSid, eventType: event.payload.eventType, outcome, ...details };
    if (outcome === 'survey-started') logger.info(fields, 'flex task survey started');
    else if (outcome === 'unknown-survey') logger.error(fields, 'flex survey policy names a survey that does not exist; no survey sent');
    else if (ROUTINE.has(outcome)) logger.debug(fields, 'flex task event: no survey');
    else logger.info(fields, 'flex task event: survey skipped');
  };
}
