import { createBrokerProbe, createEventProducer, createKafka } from '@sms-survey/kafka';
import { createPrismaClient, createSurveyDefinitionRepository, databaseAnswers } from '@sms-survey/db';
import { createMetricsRegistry, retryUntilSuccess, sharedProbe, type ReadinessCheck, type ServiceHandle } from '@sms-survey/service-kit';
import { twilioClientFor } from '@sms-survey/twilio';
import type { Logger } from 'pino';
import { createOutboundSmsTasks } from './api/outbound-sms-tasks.js';
import { readSurveyFiles, saveSurveyFiles } from './api/survey-files.js';
import { createSuppressionList } from './api/suppressions.js';
import { createSurveyResultsReader } from './api/survey-results.js';
import { createSurveySessionReader } from './api/survey-sessions.js';
import { buildGateway } from './app.js';
import { DEV_API_KEY, type GatewayConfig } from './config.js';
import { DEFAULT_CONSOLE_DIR } from './routes/console.js';

export const SERVICE = 'ingest-gateway';

export interface GatewayHandle extends ServiceHandle {
  url: string;
}

/**
 * Starts the HTTP server at once; Kafka is connected (and SURVEYS_DIR's surveys saved) in the background and
 * /readyz says when that is done. Invalid survey files stop the start before anything else.
 */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<GatewayHandle> {
  const surveyFiles = config.SURVEYS_DIR ? await readSurveyFiles(config.SURVEYS_DIR) : undefined;
  if (config.API_KEYS.includes(DEV_API_KEY)) {
    logger.warn(`API_KEYS accepts the local development key "${DEV_API_KEY}"; set API_KEYS outside development`);
  }
  const prisma = createPrismaClient({ databaseUrl: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
  const surveys = createSurveyDefinitionRepository(prisma);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: SERVICE }, logger);
  const producer = createEventProducer(kafka, { topicPrefix: config.KAFKA_TOPIC_PREFIX, publishTimeoutMs: config.KAFKA_PUBLISH_TIMEOUT_MS, lingerMs: config.KAFKA_LINGER_MS });
  const broker = createBrokerProbe(kafka);
  let producerConnected = false;
  const connecting = new AbortController();
  let surveyFilesSaved = false;
  const surveyFilesCheck: ReadinessCheck[] = surveyFiles ? [{ name: 'survey-files', check: () => surveyFilesSaved }] : [];

  const app = await buildGateway({
    logger,
    producer,
    registry: createMetricsRegistry(SERVICE),
    readiness: [
      { name: 'kafka-producer', check: () => producerConnected },
      { name: 'kafka-broker', check: () => broker.check() },
      { name: 'database', check: sharedProbe(() => databaseAnswers(prisma)) },
      ...surveyFilesCheck,
    ],
    publicBaseUrl: config.PUBLIC_BASE_URL,
    twilioAuthTokens: config.twilio.authTokens,
    maxBodyBytes: config.MAX_BODY_BYTES,
    apiKeys: config.API_KEYS,
    surveys,
    suppressions: createSuppressionList(prisma),
    outboundSmsTasks: createOutboundSmsTasks({
      twilio: twilioClientFor(config.twilio),
      logger,
      workspaceSid: config.TWILIO_WORKSPACE_SID,
      workflowSid: config.FLEX_OUTBOUND_WORKFLOW_SID,
      simulated: config.twilio.simulated,
      taskChannel: config.FLEX_OUTBOUND_TASK_CHANNEL,
    }),
    sessions: createSurveySessionReader(prisma),
    results: createSurveyResultsReader(prisma),
    ...(config.twilio.simulated && config.twilio.apiBaseUrl && { simulator: { url: config.twilio.apiBaseUrl } }),
    consoleDir: config.CONSOLE_DIR ?? DEFAULT_CONSOLE_DIR,
  });
  const url = await app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ url, publicBaseUrl: config.PUBLIC_BASE_URL, simulatedTwilio: config.twilio.simulated }, `${SERVICE} listening`);
  const connection = retryUntilSuccess('connect to Kafka', async () => { await producer.connect(); return true; }, logger, connecting.signal).then(
    (connected) => { producerConnected = connected === true; },
  );
  const savingSurveys = surveyFiles
    ? retryUntilSuccess('save the survey files', () => saveSurveyFiles(surveyFiles, surveys, logger).then(() => true), logger, connecting.signal).then(
        (saved) => { surveyFilesSaved = saved === true; },
      )
    : Promise.resolve();

  return {
    url,
    async stop() {
      connecting.abort();
      await connection;
      await savingSurveys;
      await app.close(); // stops accepting and waits for in-flight requests, their Kafka writes included
      await producer.disconnect();
      await broker.close();
      await prisma.$disconnect();
    },
  };
}
