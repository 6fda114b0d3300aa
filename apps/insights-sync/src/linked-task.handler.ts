import type { SurveySessionEnded } from '@sms-survey/contracts';
import type { PrismaClient } from '@sms-survey/db';
import { RetryableError } from '@sms-survey/kafka';
import { classifyTwilioError, completeOrCancelTask, createTask, type TwilioClient } from '@sms-survey/twilio';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { surveyTaskAttributes } from './survey-task-attributes.js';

export interface LinkedTaskDeps {
  prisma: PrismaClient;
  twilio: TwilioClient;
  logger: Logger;
  registry: Registry;
  taskRouter: () => Promise<{ workspaceSid: string; workflowSid: string }>;
  taskChannel: string;
  taskForNoResponse: boolean;
}

/**
 * Creates the survey task that links a finished session to its original conversation in Flex Insights, and
 * ends it at once so it never reaches an agent. `linked_task` makes it one task per session: a redelivered
 * event finds the row and does nothing.
 */
export function createLinkedTaskHandler(deps: LinkedTaskDeps) {
  const tasks = new Counter({ name: 'insights_survey_tasks_total', help: 'Survey tasks by outcome', labelNames: ['outcome'], registers: [deps.registry] });

  return async function handleSessionEnded(event: SurveySessionEnded): Promise<void> {
    const session = event.payload;
    if (session.answers.length === 0 && !deps.taskForNoResponse) {
      tasks.inc({ outcome: 'skipped-no-response' });
      return;
    }
    const claimed = await deps.prisma.$executeRaw`
      INSERT INTO linked_task (session_id, state, updated_at) VALUES (${session.sessionId}::uuid, 'creating', now())
      ON CONFLICT (session_id) DO UPDATE SET state = 'creating', updated_at = now() WHERE linked_task.state = 'retry'`;
    if (claimed === 0) {
      tasks.inc({ outcome: 'duplicate' });
      return;
    }
    const { workspaceSid, workflowSid } = await deps.taskRouter();
    try {
      const task = await createTask(deps.twilio, workspaceSid, {
        workflowSid,
        taskChannel: deps.taskChannel,
        attributes: surveyTaskAttributes(session),
      });
      await deps.prisma.linkedTask.update({ where: { sessionId: session.sessionId }, data: { state: 'created', taskSid: task.sid } });
      await completeOrCancelTask(deps.twilio, workspaceSid, task.sid, 'survey result recorded for Flex Insights');
      tasks.inc({ outcome: 'created' });
      deps.logger.info({ sessionId: session.sessionId, taskSid: task.sid }, 'survey task created');
    } catch (error) {
      const verdict = classifyTwilioError(error);
      await deps.prisma.linkedTask.update({ where: { sessionId: session.sessionId }, data: { state: 'retry' } });
      tasks.inc({ outcome: 'error' });
      if (verdict.retryable) throw new RetryableError(`creating the survey task failed: ${verdict.reason}`);
      throw error;
    }
  };
}
