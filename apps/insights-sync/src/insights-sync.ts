import { Topics } from '@sms-survey/contracts';
import { createSurveyCatalog, prismaSql } from '@sms-survey/db';
import { startWorker, type WorkerHandle } from '@sms-survey/service-kit';
import { twilioClientFor, ensureSurveyTaskRouter, resolveWorkspaceSid } from '@sms-survey/twilio';
import type { Logger } from 'pino';
import type { InsightsSyncConfig } from './config.js';
import { createFollowUpHandler } from './follow-up.handler.js';
import { createLinkedTaskHandler } from './linked-task.handler.js';

export const SERVICE = 'insights-sync';

/**
 * Turns finished survey sessions into TaskRouter tasks that Flex Insights links to the original conversation
 * (`survey.sessions.v1`), and answers that meet a survey's follow-up condition into Flex tasks to call the
 * customer back (`survey.answers.v1`, a consumer group of its own).
 */
export function startInsightsSync(config: InsightsSyncConfig, logger: Logger, onFatal?: (e: unknown) => void): Promise<WorkerHandle> {
  return startWorker({
    name: SERVICE,
    config,
    logger,
    onFatal,
    build({ prisma, registry, consumer: createConsumer }) {
      const twilio = twilioClientFor(config.twilio);
      // Looked up once, on first use, so a missing Twilio at start does not stop the service.
      let workspace: Promise<string> | undefined;
      const resolveWorkspace = () =>
        (workspace ??= resolveWorkspaceSid(twilio, config.TWILIO_WORKSPACE_SID).catch((e: unknown) => {
          workspace = undefined;
          throw e;
        }));
      let taskRouter: Promise<{ workspaceSid: string; workflowSid: string }> | undefined;
      const resolveTaskRouter = () =>
        (taskRouter ??= (async () => {
          const workspaceSid = await resolveWorkspace();
          if (config.TWILIO_SURVEY_WORKFLOW_SID) return { workspaceSid, workflowSid: config.TWILIO_SURVEY_WORKFLOW_SID };
          const ensured = await ensureSurveyTaskRouter(twilio, workspaceSid, { queue: 'Survey', workflow: 'Survey', channel: config.SURVEY_TASK_CHANNEL });
          if (ensured.created.length) logger.info({ created: ensured.created }, 'created Survey TaskRouter resources');
          if (ensured.differences.length) {
            // Used as found (survey tasks are still created), but they may reach agents: say so, once per start.
            logger.warn(
              { differences: ensured.differences },
              'Survey TaskRouter resources differ from what survey tasks need (e.g. a queue agents match); run npm run provision-flex -- --fix (docs/flex.md)',
            );
          }
          return { workspaceSid, workflowSid: ensured.workflowSid };
        })().catch((e) => {
          taskRouter = undefined;
          throw e;
        }));
      const surveys = createSurveyCatalog(prismaSql(prisma));
      const handle = createLinkedTaskHandler({
        prisma,
        twilio,
        logger,
        registry,
        taskRouter: resolveTaskRouter,
        taskChannel: config.SURVEY_TASK_CHANNEL,
        taskForNoResponse: config.SURVEY_TASK_FOR_NO_RESPONSE,
        surveys,
      });
      const handleAnswer = createFollowUpHandler({
        prisma,
        twilio,
        logger,
        registry,
        surveys,
        workspaceSid: resolveWorkspace,
        maxAttempts: config.FOLLOW_UP_MAX_ATTEMPTS,
      });
      const consumer = createConsumer({
        groupId: config.KAFKA_GROUP_ID,
        topics: [Topics.surveySessions],
        handle: ({ event }) => handle(event),
      });
      const followUps = createConsumer({
        groupId: config.KAFKA_FOLLOW_UP_GROUP_ID,
        topics: [Topics.surveyAnswers],
        handle: ({ event }) => handleAnswer(event),
      });
      return { consumers: [consumer, followUps] };
    },
  });
}
