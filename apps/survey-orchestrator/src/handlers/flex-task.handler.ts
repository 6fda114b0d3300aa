import { SurveySendRequested, createMessage, uuidFromName, type FlexTaskLifecycle } from '@sms-survey/contracts';
import { planFlexSurvey, type FlexSkipReason, type FlexSurveyPolicy, type SenderPolicy } from '@sms-survey/survey-domain';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { Tx } from '../apply-once.js';
import type { OutboxEntry } from '../outbox-relay.js';
import type { SendingPolicy } from '../sending-window.js';
import type { SurveyCatalog } from '../survey-catalog.js';
import { isSuppressed } from '../suppression.js';
import { handleSurveySend } from './survey-send.handler.js';

/** What became of a flex task event: a survey, or why not. */
export type FlexTaskOutcome = 'survey-started' | FlexSkipReason | 'already-surveyed' | 'suppressed' | 'fatigue' | 'unknown-survey';

export interface FlexTaskResult {
  outcome: FlexTaskOutcome;
  out: OutboxEntry[];
  policyIndex?: number;
  policyName?: string;
  customer?: string;
  surveyId?: string;
  sessionId?: string;
}

export interface FlexTaskDeps {
  policies: readonly FlexSurveyPolicy[];
  catalog: SurveyCatalog;
  senders: SenderPolicy;
  sending: SendingPolicy;
  now: Date;
}

/** The session a task's survey gets: one per task, whichever event starts it. */
export function flexSurveySessionId(taskSid: string): string {
  return uuidFromName(`flex-survey:${taskSid}`);
}

/** Advisory-lock class (first key) under which one customer's flex survey decisions are serialized. */
const CUSTOMER_LOCK_CLASS = 4_242_101;

/**
 * A Flex task wrapped up, completed, was canceled, or the plugin asked for a survey (issue 5). The policy decides
 * (pure, in survey-domain); then, holding a lock on the customer: one survey per task (`flex_task_survey`),
 * suppressed customers and the fatigue rule are skipped, and the survey's latest version is started through
 * the SendSurvey logic with a command built here, all in the consumer's exactly-once transaction.
 */
export async function handleFlexTaskEvent(tx: Tx, event: FlexTaskLifecycle, deps: FlexTaskDeps): Promise<FlexTaskResult> {
  const task = event.payload;
  const plan = planFlexSurvey(deps.policies, task, deps.now);
  if (plan.kind === 'skip') return { outcome: plan.reason, out: [], policyIndex: plan.policyIndex, policyName: plan.policyIndex === undefined ? undefined : deps.policies[plan.policyIndex]?.name };
  const { customer, surveyId, policy } = plan;
  const result = (outcome: FlexTaskOutcome, extra: Partial<FlexTaskResult> = {}): FlexTaskResult => ({
    outcome,
    out: [],
    policyIndex: plan.policyIndex,
    policyName: policy.name,
    customer,
    surveyId,
    ...extra,
  });

  // Two tasks of one customer may be on different partitions: decide their surveys one at a time (fatigue).
  await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(${CUSTOMER_LOCK_CLASS}::int, hashtext(${customer}::text))`;
  if (await tx.flexTaskSurvey.findUnique({ where: { taskSid: task.taskSid }, select: { taskSid: true } })) return result('already-surveyed');
  if (await isSuppressed(tx, customer)) return result('suppressed');
  if (policy.fatigueDays !== undefined) {
    const since = new Date(deps.now.getTime() - policy.fatigueDays * 24 * 3600 * 1000);
    const recent = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM survey_session
      WHERE customer = ${customer} AND origin->>'kind' = 'flex-task' AND started_at > ${since}
      LIMIT 1`;
    if (recent.length > 0) return result('fatigue');
  }
  const latest = await tx.surveyDefinition.findFirst({ where: { surveyId }, orderBy: { version: 'desc' }, select: { version: true } });
  if (!latest) return result('unknown-survey');

  const sessionId = flexSurveySessionId(task.taskSid);
  const claimed = await tx.$executeRaw`
    INSERT INTO flex_task_survey (task_sid, session_id) VALUES (${task.taskSid}, ${sessionId}::uuid) ON CONFLICT DO NOTHING`;
  if (claimed === 0) return result('already-surveyed');

  const command = createMessage(SurveySendRequested, {
    id: uuidFromName(`survey.send.requested:${sessionId}`),
    type: 'survey.send.requested',
    schemaVersion: 1,
    payload: {
      sessionId,
      surveyId,
      surveyVersion: latest.version,
      customer,
      expiresAt: plan.expiresAt.toISOString(),
      userSessionVariables: plan.userSessionVariables,
      language: plan.language,
      origin: plan.origin,
    },
  });
  // The sender asked for (plugin, policy) replaces the default sender; subnumbering still applies where it does.
  const senders = plan.senderNumber ? { ...deps.senders, defaultSender: plan.senderNumber } : deps.senders;
  const out = await handleSurveySend(tx, command, { catalog: deps.catalog, senders, sending: deps.sending, now: deps.now });
  return result('survey-started', { out, sessionId });
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
    const { out: _out, ...details } = result ?? { out: [] };
    const fields = { eventId: event.id, taskSid: event.payload.taskSid, eventType: event.payload.eventType, outcome, ...details };
    if (outcome === 'survey-started') logger.info(fields, 'flex task survey started');
    else if (outcome === 'unknown-survey') logger.error(fields, 'flex survey policy names a survey that does not exist; no survey sent');
    else if (ROUTINE.has(outcome)) logger.debug(fields, 'flex task event: no survey');
    else logger.info(fields, 'flex task event: survey skipped');
  };
}
