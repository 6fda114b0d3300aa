import type { SurveySessionEnded } from '@sms-survey/contracts';
import type { PrismaClient, SurveyCatalog } from '@sms-survey/db';
import { PermanentError, RetryableError } from '@sms-survey/kafka';
import { taskRequestProblems } from '@sms-survey/survey-domain';
import { classifyTwilioError, completeOrCancelTask, createTask, findTasks, type TwilioClient } from '@sms-survey/twilio';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { surveyTaskAttributes } from './survey-task-attributes.js';

/**
 * How long a `creating` row may stay before another replica takes it over: longer than a TaskRouter call with its
 * retries. The new owner first looks the session's task up by its attributes (a replica killed after Twilio
 * created the task and before the row said so), so the session keeps one task.
 */
const STALE_CREATING_SECONDS = 30;

export interface LinkedTaskDeps {
  prisma: PrismaClient;
  twilio: TwilioClient;
  logger: Logger;
  registry: Registry;
  taskRouter: () => Promise<{ workspaceSid: string; workflowSid: string }>;
  taskChannel: string;
  taskForNoResponse: boolean;
  /** The sessions' survey definitions, for their insights mapping. */
  surveys: SurveyCatalog;
}

/**
 * Creates the survey task that links a finished session to its original conversation in Flex Insights, with the
 * answers where the survey's insights mapping puts them, and ends it at once so it never reaches an agent.
 * `linked_task` makes it one task per session: a redelivered event finds the row and does nothing.
 */
export function createLinkedTaskHandler(deps: LinkedTaskDeps) {
  const tasks = new Counter({ name: 'insights_survey_tasks_total', help: 'Survey tasks by outcome', labelNames: ['outcome'], registers: [deps.registry] });

  return async function handleSessionEnded(event: SurveySessionEnded): Promise<void> {
    const session = event.payload;
    if (session.answers.length === 0 && !deps.taskForNoResponse) {
      tasks.inc({ outcome: 'skipped-no-response' });
      return;
    }
    const lookup = await deps.surveys.find(session.surveyId, session.surveyVersion);
    if (!lookup.ok) deps.logger.warn({ sessionId: session.sessionId, reason: lookup.reason }, 'survey definition not found; mapping answers by element type');
    const attributes = surveyTaskAttributes(session, lookup.ok ? lookup.survey : undefined);
    const problems = taskRequestProblems({ attributes });
    if (problems.length > 0) {
      tasks.inc({ outcome: 'invalid' });
      throw new PermanentError(`the survey task of session ${session.sessionId} breaks TaskRouter's limits: ${problems.join('; ')}`);
    }
    // A row left `creating` by a replica that died between its claim and recording Twilio's answer is taken over
    // once it is stale; until then the event is retried, not dropped (it would never get its task).
    const [claim] = await deps.prisma.$queryRaw<{ inserted: boolean }[]>`
      INSERT INTO linked_task (session_id, state, updated_at) VALUES (${session.sessionId}::uuid, 'creating', now())
      ON CONFLICT (session_id) DO UPDATE SET state = 'creating', updated_at = now()
      WHERE linked_task.state = 'retry' OR (linked_task.state = 'creating' AND linked_task.updated_at < now() - make_interval(secs => ${STALE_CREATING_SECONDS}))
      RETURNING (xmax = 0) AS inserted`;
    if (!claim) {
      const row = await deps.prisma.linkedTask.findUnique({ where: { sessionId: session.sessionId }, select: { state: true, taskSid: true } });
      if (row?.state === 'creating') throw new RetryableError(`the survey task of session ${session.sessionId} is being created by another replica`);
      tasks.inc({ outcome: 'duplicate' });
      // Redelivered: the replica that recorded the task may have died before ending it (an ended one is left be).
      if (row?.taskSid) await endCreatedTask(session.sessionId, (await deps.taskRouter()).workspaceSid, row.taskSid);
      return;
    }
    if (!claim.inserted) {
      // Taken over, or tried before: the earlier attempt may have created the task before its replica died.
      const { workspaceSid } = await deps.taskRouter();
      const [existing] = await findTasks(deps.twilio, workspaceSid, `survey.session_id == "${session.sessionId}"`);
      if (existing) {
        await deps.prisma.linkedTask.update({ where: { sessionId: session.sessionId }, data: { state: 'created', taskSid: existing.sid } });
        tasks.inc({ outcome: 'recovered' });
        deps.logger.warn({ sessionId: session.sessionId, taskSid: existing.sid }, 'survey task found, created by a replica that died before recording it');
        await endCreatedTask(session.sessionId, workspaceSid, existing.sid);
        return;
      }
    }
    let created: { workspaceSid: string; taskSid: string };
    try {
      const { workspaceSid, workflowSid } = await deps.taskRouter();
      const task = await createTask(deps.twilio, workspaceSid, { workflowSid, taskChannel: deps.taskChannel, attributes });
      created = { workspaceSid, taskSid: task.sid };
    } catch (error) {
      const verdict = classifyTwilioError(error);
      await deps.prisma.linkedTask.update({ where: { sessionId: session.sessionId }, data: { state: 'retry' } });
      tasks.inc({ outcome: 'error' });
      if (verdict.kind === 'retryable') throw new RetryableError(`creating the survey task failed: ${verdict.reason}`);
      throw error;
    }
    await deps.prisma.linkedTask.update({ where: { sessionId: session.sessionId }, data: { state: 'created', taskSid: created.taskSid } });
    tasks.inc({ outcome: 'created' });
    deps.logger.info({ sessionId: session.sessionId, taskSid: created.taskSid }, 'survey task created');
    await endCreatedTask(session.sessionId, created.workspaceSid, created.taskSid);
  };

  /**
   * The task exists now: a failure to end it must not make a redelivery create a second one. It sits in the
   * Survey queue that no worker matches, and TaskRouter ends it at its timeout. A task already ended is left be.
   */
  async function endCreatedTask(sessionId: string, workspaceSid: string, taskSid: string): Promise<void> {
    try {
      await completeOrCancelTask(deps.twilio, workspaceSid, taskSid, 'survey result recorded for Flex Insights');
    } catch (error) {
      tasks.inc({ outcome: 'not-ended' });
      deps.logger.warn({ sessionId, taskSid, reason: classifyTwilioError(error).reason }, 'survey task created but not ended; TaskRouter ends it at its timeout');
    }
  }
}
