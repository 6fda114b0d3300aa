import { randomUUID } from 'node:crypto';
import { SurveyAnswerRecorded, SurveySessionEnded, createMessage, type RecordedAnswer } from '@sms-survey/contracts';
import { createPrismaClient, createSurveyDefinitionRepository, type PrismaClient } from '@sms-survey/db';
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN } from '@sms-survey/service-kit';
import { type SurveyDefinitionInput } from '@sms-survey/survey-domain';
import { createTestDatabase, silentLogger, type TestDatabase } from '@sms-survey/testing';
import { createTwilioClient, type TwilioClient } from '@sms-survey/twilio';
import { buildSimulator, type Simulator } from '@sms-survey/twilio-simulator';
import { Registry } from 'prom-client';

export const CUSTOMER = '+4791234567';

export interface Harness {
  database: TestDatabase;
  prisma: PrismaClient;
  simulator: Simulator;
  simulatorUrl: string;
  twilio: TwilioClient;
  registry: Registry;
  logger: ReturnType<typeof silentLogger>;
  saveSurvey(survey: SurveyDefinitionInput): Promise<number>;
  close(): Promise<void>;
}

/** A database of its own (cloned from the migrated template), the Twilio simulator in-process, a client for it. */
export async function startHarness(): Promise<Harness> {
  const database = await createTestDatabase();
  const prisma = createPrismaClient({ databaseUrl: database.url, poolSize: 3 });
  const simulator = buildSimulator({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN });
  const simulatorUrl = await simulator.app.listen({ host: '127.0.0.1', port: 0 });
  const twilio = createTwilioClient({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN, apiBaseUrl: simulatorUrl, timeoutMs: 3000 });
  const surveys = createSurveyDefinitionRepository(prisma);
  return {
    database,
    prisma,
    simulator,
    simulatorUrl,
    twilio,
    registry: new Registry(),
    logger: silentLogger(),
    saveSurvey: async (survey) => (await surveys.save(survey.id, survey)).version,
    async close() {
      await prisma.$disconnect();
      await simulator.app.close();
      await database.drop();
    },
  };
}

/** A workflow (with its queue) in the simulator's default workspace, for follow-up tasks. */
export async function createCallbackWorkflow(twilio: TwilioClient, workspaceSid: string, name = 'Callbacks'): Promise<string> {
  const ws = twilio.taskrouter.v1.workspaces(workspaceSid);
  const queue = await ws.taskQueues.create({ friendlyName: name, targetWorkers: 'skills HAS "callback"' });
  const workflow = await ws.workflows.create({ friendlyName: name, configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: queue.sid } } }) });
  return workflow.sid;
}

const answerOf = (elementId: string, elementType: string, value: RecordedAnswer['value']): RecordedAnswer => ({
  elementId,
  elementType,
  rawReply: String(value),
  value,
  answeredAt: new Date().toISOString(),
});

export interface SessionInput {
  sessionId?: string;
  surveyId: string;
  surveyVersion: number;
  origin?: SurveySessionEnded['payload']['origin'];
}

export function answerRecordedEvent(
  session: SessionInput,
  answer: [elementId: string, elementType: string, value: RecordedAnswer['value']],
  options: { earlier?: RecordedAnswer[]; customer?: string | null } = {},
): SurveyAnswerRecorded {
  const recorded = answerOf(...answer);
  return createMessage(SurveyAnswerRecorded, {
    type: 'survey.answer.recorded',
    schemaVersion: 1,
    payload: {
      sessionId: session.sessionId ?? randomUUID(),
      surveyId: session.surveyId,
      surveyVersion: session.surveyVersion,
      language: 'en',
      userSessionVariables: [],
      origin: session.origin,
      answer: recorded,
      ...(options.customer !== null && { customer: options.customer ?? CUSTOMER }),
      answersSoFar: [...(options.earlier ?? []), recorded],
    },
  });
}

export function sessionEndedEvent(session: SessionInput, answers: [string, string, RecordedAnswer['value']][], status: SurveySessionEnded['payload']['status'] = 'completed'): SurveySessionEnded {
  const now = new Date().toISOString();
  return createMessage(SurveySessionEnded, {
    type: 'survey.session.ended',
    schemaVersion: 1,
    payload: {
      sessionId: session.sessionId ?? randomUUID(),
      surveyId: session.surveyId,
      surveyVersion: session.surveyVersion,
      language: 'en',
      userSessionVariables: [],
      origin: session.origin,
      status,
      customer: CUSTOMER,
      answers: answers.map((a) => answerOf(...a)),
      startedAt: now,
      endedAt: now,
    },
  });
}

export const recorded = answerOf;
