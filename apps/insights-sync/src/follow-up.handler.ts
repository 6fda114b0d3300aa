import type { SurveyAnswerRecorded } from '@sms-survey/contracts';
import type { PrismaClient, SurveyCatalog } from '@sms-survey/db';
import { PermanentError, RetryableError } from '@sms-survey/kafka';
import { followUpTask, followUpTriggered, taskRequestProblems } from '@sms-survey/survey-domain';
import { classifyTwilioError, createTask, type TwilioClient } from '@sms-survey/twilio';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';

export interface FollowUpDeps {
  prisma: PrismaClient;
  twilio: TwilioClient;
  logger: Logger;
  registry: Registry;
  surveys: SurveyCatalog;
  /** The Flex TaskRouter workspace. */
  workspaceSid: () => Promise<string>;
  /** Attempts at creating one follow-up task before it is dead-lettered. */
  maxAttempts: number;
}

export type FollowUpOutcome = 'created' | 'duplicate' | 'not-triggered' | 'retrying' | 'dead-lettered';

/**
 * Seed 004's "Send to Flex" for survey answers: when an answer meets the survey's `followUp` condition (e.g. NPS
 * ≤ 6), creates a TaskRouter task in the configured workflow and channel so an agent calls the customer back.
 *
 * Exactly one task per (session, element): the row in `follow_up_task` is claimed before Twilio is called, so
 * a redelivered answer finds it and does nothing. A failure Twilio may get over (5xx, 429, network) is retried
 * with back-off (RetryableError) up to `maxAttempts` in all; then, or at once when Twilio rejects the task or it
 * breaks TaskRouter's limits, the row is marked failed and a PermanentError dead-letters the answer with the
 * reason. A dead letter replayed later claims the failed row again and tries afresh.
 */
export function createFollowUpHandler(deps: FollowUpDeps) {
  const outcomes = new Counter({
    name: 'insights_follow_up_tasks_total',
    help: 'Follow-up tasks (survey followUp) by outcome: created, duplicate, not-triggered, retrying, dead-lettered',
    labelNames: ['outcome'],
    registers: [deps.registry],
  });
  const count = (outcome: FollowUpOutcome) => outcomes.inc({ outcome });

  async function giveUp(sessionId: string, elementId: string, reason: string): Promise<PermanentError> {
    await deps.prisma.followUpTask.update({ where: { sessionId_elementId: { sessionId, elementId } }, data: { state: 'failed', lastError: reason.slice(0, 2000) } });
    count('dead-lettered');
    deps.logger.error({ sessionId, elementId, reason }, 'follow-up task not created; the answer goes to the dead-letter topic');
    return new PermanentError(`follow-up task for session ${sessionId}, element "${elementId}" not created: ${reason}`);
  }

  return async function handleAnswerRecorded(event: SurveyAnswerRecorded): Promise<void> {
    const answered = event.payload;
    const lookup = await deps.surveys.find(answered.surveyId, answered.surveyVersion);
    if (!lookup.ok) throw new PermanentError(`cannot decide on a follow-up task: ${lookup.reason}`);
    const survey = lookup.survey;
    if (!followUpTriggered(survey, answered.answer)) {
      count('not-triggered');
      return;
    }
    const { sessionId } = answered;
    const { elementId } = answered.answer;
    const claimed = await deps.prisma.$queryRaw<{ attempts: number }[]>`
      INSERT INTO follow_up_task (session_id, element_id, state, attempts, updated_at)
      VALUES (${sessionId}::uuid, ${elementId}, 'creating', 1, now())
      ON CONFLICT (session_id, element_id) DO UPDATE
        SET state = 'creating', updated_at = now(),
            attempts = CASE WHEN follow_up_task.state = 'failed' THEN 1 ELSE follow_up_task.attempts + 1 END
        WHERE follow_up_task.state IN ('retry', 'failed')
      RETURNING attempts`;
    const attempt = claimed[0]?.attempts;
    if (attempt === undefined) {
      count('duplicate');
      return;
    }

    if (!answered.customer) throw await giveUp(sessionId, elementId, 'the answer event carries no customer number to call back (written by an orchestrator older than follow-ups)');
    const task = followUpTask(survey, { ...answered, customer: answered.customer });
    const problems = taskRequestProblems(task);
    if (problems.length > 0) throw await giveUp(sessionId, elementId, `the task breaks TaskRouter's limits: ${problems.join('; ')}`);

    let taskSid: string;
    try {
      const workspaceSid = await deps.workspaceSid();
      taskSid = (await createTask(deps.twilio, workspaceSid, task)).sid;
    } catch (error) {
      const verdict = classifyTwilioError(error);
      const reason = `${verdict.reason}${verdict.code !== undefined ? ` (Twilio error ${verdict.code})` : ''}`;
      if (verdict.kind === 'permanent') throw await giveUp(sessionId, elementId, `Twilio rejected the task: ${reason}`);
      if (attempt >= deps.maxAttempts) throw await giveUp(sessionId, elementId, `gave up after ${attempt} attempts: ${reason}`);
      await deps.prisma.followUpTask.update({ where: { sessionId_elementId: { sessionId, elementId } }, data: { state: 'retry', lastError: reason.slice(0, 2000) } });
      count('retrying');
      deps.logger.warn({ sessionId, elementId, attempt, maxAttempts: deps.maxAttempts, reason }, 'creating the follow-up task failed; retrying');
      throw new RetryableError(`creating the follow-up task failed (attempt ${attempt} of ${deps.maxAttempts}): ${reason}`);
    }
    // Outside the try: once the task exists, nothing may mark the row for another attempt.
    await deps.prisma.followUpTask.update({ where: { sessionId_elementId: { sessionId, elementId } }, data: { state: 'created', taskSid, lastError: null } });
    count('created');
    deps.logger.info({ sessionId, elementId, taskSid, workflowSid: task.workflowSid }, 'follow-up task created');
  };
}
