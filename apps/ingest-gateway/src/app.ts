import formbody from '@fastify/formbody';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { SurveyDefinitionRepository } from '@sms-survey/db';
import type { EventProducer } from '@sms-survey/kafka';
import { registerHttpTracing, registerOpsRoutes, type ReadinessCheck } from '@sms-survey/service-kit';
import type { OutboundSmsTasks } from './api/outbound-sms-tasks.js';
import type { SurveyResultsReader } from './api/survey-results.js';
import type { SurveySessionReader } from './api/survey-sessions.js';
import type { SuppressionList } from './api/suppressions.js';
import { registerErrorHandler, registerJsonParser } from './http-errors.js';
import { registerOpenApi } from './openapi.js';

const MAX_PATH_PARAMETER_LENGTH = 2048;
import { registerConsole } from './routes/console.js';
import { registerOutboundSmsTaskRoute } from './routes/flex-outbound-sms.js';
import { registerPublicApi } from './routes/public-api.js';
import { registerTaskRouterEvents } from './routes/taskrouter-events.js';
import { registerTwilioWebhooks } from './routes/twilio-webhooks.js';

export interface GatewayDeps {
  logger: Logger;
  producer: EventProducer;
  registry: Registry;
  readiness: readonly ReadinessCheck[];
  publicBaseUrl: string;
  twilioAuthTokens: readonly string[];
  maxBodyBytes: number;
  /** Keys accepted on the public API (/v1). */
  apiKeys: readonly string[];
  /** Survey definitions, for the public API. */
  surveys: SurveyDefinitionRepository;
  /** Customers who opted out; SendSurvey refuses them. */
  suppressions: SuppressionList;
  /** `POST /v1/flex/outbound-sms-tasks`; the route is left out without it. */
  outboundSmsTasks?: OutboundSmsTasks;
  /** `GET /v1/surveys/:surveyId/sessions` (results); the route is left out without it. */
  sessions?: SurveySessionReader;
  /** `GET /v1/surveys/:surveyId/results…` (aggregates, export); the routes are left out without it. */
  results?: SurveyResultsReader;
  /** Only when Twilio is the local simulator: the console's phone view reaches it through `/v1/simulator…`. */
  simulator?: { url: string };
  /** The survey console's built files, served under /console; left out without it. */
  consoleDir?: string;
}

/** The gateway's HTTP application, built from its dependencies; tests build it and call `inject`. */
export async function buildGateway(deps: GatewayDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.maxBodyBytes,
    logController: new LogController({ disableRequestLogging: true }),
    // Long enough that a route's own schema says which parameter is too long; beyond it, frameworkErrors does.
    routerOptions: { maxParamLength: MAX_PATH_PARAMETER_LENGTH },
    frameworkErrors: (error, _request, reply) => {
      const message = error.code === 'FST_ERR_BAD_URL' ? 'the URL is not valid (bad percent-encoding)' : `a path segment is longer than ${MAX_PATH_PARAMETER_LENGTH} characters`;
      const status: number = error.code === 'FST_ERR_BAD_URL' ? 400 : 414;
      return (reply as unknown as { code(c: number): { send(b: unknown): void } }).code(status).send({ error: message });
    },
  });
  // Before any route: the OpenAPI document sees every route registered after it (openapi.ts).
  await registerOpenApi(app);
  // First, before any route: a span and a latency observation per webhook and API request (docs/observability.md).
  registerHttpTracing(app, { registry: deps.registry, traced: (route) => route.startsWith('/twilio/') || route.startsWith('/v1/') });
  await app.register(formbody, { bodyLimit: deps.maxBodyBytes });
  registerJsonParser(app);
  registerErrorHandler(app);
  registerOpsRoutes(app, { checks: deps.readiness, registry: deps.registry });
  registerTwilioWebhooks(app, {
    publicBaseUrl: deps.publicBaseUrl,
    authTokens: deps.twilioAuthTokens,
    producer: deps.producer,
    registry: deps.registry,
  });
  registerTaskRouterEvents(app, { publicBaseUrl: deps.publicBaseUrl, authTokens: deps.twilioAuthTokens, producer: deps.producer, registry: deps.registry });
  await registerPublicApi(app, {
    apiKeys: deps.apiKeys,
    surveys: deps.surveys,
    suppressions: deps.suppressions,
    producer: deps.producer,
    registry: deps.registry,
    sessions: deps.sessions,
    results: deps.results,
    simulator: deps.simulator && { simulatorUrl: deps.simulator.url, inboundWebhookUrl: `${deps.publicBaseUrl}/twilio/messaging/inbound` },
  });
  if (deps.consoleDir) await registerConsole(app, deps.consoleDir);
  if (deps.outboundSmsTasks) await registerOutboundSmsTaskRoute(app, { apiKeys: deps.apiKeys, tasks: deps.outboundSmsTasks, registry: deps.registry });
  return app;
}
