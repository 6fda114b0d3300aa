import type { FastifyInstance } from 'fastify';
import type { SurveyDefinitionRepository } from '@sms-survey/db';
import type { EventProducer } from '@sms-survey/kafka';
import type { Registry } from 'prom-client';
import { createApiKeyCheck } from '../api/api-keys.js';
import type { SuppressionList } from '../api/suppressions.js';
import { registerFlexSurveyTransferRoute } from './flex-survey-transfer.js';
import { registerSendSurveyRoute } from './send-survey.js';
import { registerSurveyRoutes } from './surveys.js';

export interface PublicApiOptions {
  apiKeys: readonly string[];
  surveys: SurveyDefinitionRepository;
  suppressions: SuppressionList;
  producer: EventProducer;
  registry: Registry;
}

/** The public API under /v1: every route needs `Authorization: Bearer <key>` with one of the configured keys. */
export async function registerPublicApi(app: FastifyInstance, options: PublicApiOptions): Promise<void> {
  const authorized = createApiKeyCheck(options.apiKeys);
  await app.register(
    async (api) => {
      api.addHook('onRequest', async (request, reply) => {
        if (authorized(request.headers.authorization)) return;
        return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing or invalid API key' });
      });
      registerSurveyRoutes(api, { surveys: options.surveys });
      registerSendSurveyRoute(api, { surveys: options.surveys, suppressions: options.suppressions, producer: options.producer, registry: options.registry });
      registerFlexSurveyTransferRoute(api, { producer: options.producer, registry: options.registry });
    },
    { prefix: '/v1' },
  );
}
