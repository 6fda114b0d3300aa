import type { FastifyInstance } from 'fastify';
import type { SurveyDefinitionRepository } from '@sms-survey/db';
import type { EventProducer } from '@sms-survey/kafka';
import type { Registry } from 'prom-client';
import { createApiKeyCheck } from '../api/api-keys.js';
import { documentApiKey } from '../openapi.js';
import type { SuppressionList } from '../api/suppressions.js';
import type { SurveyResultsReader } from '../api/survey-results.js';
import type { SurveySessionReader } from '../api/survey-sessions.js';
import { registerFlexSurveyTransferRoute } from './flex-survey-transfer.js';
import { registerSendSurveyRoute } from './send-survey.js';
import { registerSimulatorProxy, type SimulatorProxyOptions } from './simulator-proxy.js';
import { registerSurveyResultsRoutes } from './survey-results.js';
import { registerSurveySessionRoutes } from './survey-sessions.js';
import { registerSurveyRoutes } from './surveys.js';

export interface PublicApiOptions {
  apiKeys: readonly string[];
  surveys: SurveyDefinitionRepository;
  suppressions: SuppressionList;
  producer: EventProducer;
  registry: Registry;
  /** Sessions and answers for `GET /v1/surveys/:surveyId/sessions`; the route is left out without it. */
  sessions?: SurveySessionReader | undefined;
  /** `GET /v1/surveys/:surveyId/results` and `…/results/export`; left out without it. */
  results?: SurveyResultsReader | undefined;
  /** Only against the local Twilio simulator: `/v1/simulator…` for the console's phone view. */
  simulator?: SimulatorProxyOptions | undefined;
}

/** The public API under /v1: every route needs `Authorization: Bearer <key>` with one of the configured keys. */
export async function registerPublicApi(app: FastifyInstance, options: PublicApiOptions): Promise<void> {
  const authorized = createApiKeyCheck(options.apiKeys);
  await app.register(
    async (api) => {
      documentApiKey(api);
      api.addHook('onRequest', async (request, reply) => {
        if (authorized(request.headers.authorization)) return;
        return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing or invalid API key' });
      });
      registerSurveyRoutes(api, { surveys: options.surveys });
      registerSendSurveyRoute(api, { surveys: options.surveys, suppressions: options.suppressions, producer: options.producer, registry: options.registry });
      registerFlexSurveyTransferRoute(api, { producer: options.producer, registry: options.registry });
      if (options.sessions) registerSurveySessionRoutes(api, { sessions: options.sessions, surveys: options.surveys });
      if (options.results) registerSurveyResultsRoutes(api, { results: options.results });
      if (options.simulator) registerSimulatorProxy(api, options.simulator);
    },
    { prefix: '/v1' },
  );
}
