import { Topics } from '@sms-survey/contracts';
import { createConsumerMetrics, createEventConsumer } from '@sms-survey/kafka';
import { startWorker, type WorkerHandle } from '@sms-survey/service-kit';
import { createTwilioClient, ensureSurveyTaskRouter, resolveWorkspaceSid } from '@sms-survey/twilio';
import type { Logger } from 'pino';
import type { InsightsSyncConfig } from './config.js';
import { createLinkedTaskHandler } from './linked-task.handler.js';

export const SERVICE = 'insights-sync';

/** Turns finished survey sessions into TaskRouter tasks that Flex Insights links to the original conversation. */
export function startInsightsSync(config: InsightsSyncConfig, logger: Logger, onFatal?: (e: unknown) => void): Promise<WorkerHandle> {
  return startWorker({
    name: SERVICE,
    config,
    logger,
    onFatal,
    build({ kafka, producer, prisma, registry, onFatal }) {
      const twilio = createTwilioClient({
        accountSid: config.twilio.accountSid,
        authToken: config.twilio.authTokens[0]!,
        apiBaseUrl: config.twilio.apiBaseUrl,
      });
      // Looked up once, on first use, so a missing Twilio at start does not stop the service.
      let taskRouter: Promise<{ workspaceSid: string; workflowSid: string }> | undefined;
      const resolveTaskRouter = () =>
        (taskRouter ??= (async () => {
          const workspaceSid = await resolveWorkspaceSid(twilio, config.TWILIO_WORKSPACE_SID);
          if (config.TWILIO_SURVEY_WORKFLOW_SID) return { workspaceSid, workflowSid: config.TWILIO_SURVEY_WORKFLOW_SID };
          const ensured = await ensureSurveyTaskRouter(twilio, workspaceSid, { queue: 'Survey', workflow: 'Survey', channel: config.SURVEY_TASK_CHANNEL });
          if (ensured.created.length) logger.info({ created: ensured.created }, 'created Survey TaskRouter resources');
          return { workspaceSid, workflowSid: ensured.workflowSid };
        })().catch((e) => {
          taskRouter = undefined;
          throw e;
        }));
      const handle = createLinkedTaskHandler({
        prisma,
        twilio,
        logger,
        registry,
        taskRouter: resolveTaskRouter,
        taskChannel: config.SURVEY_TASK_CHANNEL,
        taskForNoResponse: config.SURVEY_TASK_FOR_NO_RESPONSE,
      });
      const consumer = createEventConsumer({
        kafka,
        groupId: config.KAFKA_GROUP_ID,
        topicPrefix: config.KAFKA_TOPIC_PREFIX,
        topics: [Topics.surveySessions],
        producer,
        logger,
        metrics: createConsumerMetrics(registry),
        onFatal,
        handle: ({ event }) => handle(event),
      });
      return { consumers: [consumer] };
    },
  });
}
