import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { resolve } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { z } from 'zod';
import type { GatewayDeps } from './app.js';

/**
 * The OpenAPI 3.1 document of the gateway's HTTP API, made from the routes' own zod schemas (docs/openapi.json,
 * `npm run docs:openapi`; docs/surveys.md says how it is made).
 *
 * One way to do each thing:
 * - **Validation** is the handlers' business, as before: each parses its request with zod (`safeParse`) where its
 *   checks belong — after the Twilio signature check, the API key hook and the JSON parser, with every problem of
 *   params, body and headers in one 400 (`http-errors.ts`).
 * - **A route's `schema`** (params, querystring, body, headers, response) holds those same zod schemas, for the
 *   document only: fastify-type-provider-zod's `jsonSchemaTransform` turns them into JSON Schema for
 *   @fastify/swagger. The gateway's validator and serializer compilers are pass-through, so a route schema never
 *   validates, coerces or reshapes a request or an answer; and routes are not typed through `ZodTypeProvider`,
 *   since `request.body` is not parsed before the handler.
 */
export const OPENAPI_DOCUMENT_VERSION = '1.0.0';
export const OPENAPI_TITLE = 'SMS surveys for Twilio Flex — HTTP API (ingest-gateway)';
/** Where the document is served, and the docs page (Swagger UI, from @fastify/swagger-ui's own files). */
export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PREFIX = '/docs';

/** Every error answer's body (http-errors.ts). */
export const ErrorAnswer = z
  .object({
    error: z.string().meta({ description: 'what is wrong, in words' }),
    problems: z.array(z.string()).optional().meta({ description: 'each problem of the request, `field: message`' }),
    requestId: z.string().optional().meta({ description: 'with a 500: finds the request in the log' }),
  })
  .meta({ id: 'Error' });

type Media = Record<string, { schema: z.ZodType }>;

/**
 * One documented answer: a description, its body per media type (zod schemas; none for an empty body), and the
 * headers that matter to a client.
 */
export interface DocumentedAnswer {
  description: string;
  content?: Media;
  headers?: Record<string, { description: string; schema: z.ZodType }>;
}

export const json = (description: string, schema: z.ZodType, headers?: DocumentedAnswer['headers']): DocumentedAnswer => ({
  description,
  content: { 'application/json': { schema } },
  ...(headers && { headers }),
});
export const empty = (description: string, headers?: DocumentedAnswer['headers']): DocumentedAnswer => ({ description, ...(headers && { headers }) });
export const error = (description: string, headers?: DocumentedAnswer['headers']): DocumentedAnswer => json(description, ErrorAnswer, headers);

const RETRY_AFTER = { 'retry-after': { description: 'seconds to wait before retrying', schema: z.string() } };

/** Answers many routes share: the body parser's, the error handler's. */
export const commonAnswers = {
  badJson: 'the body is not valid JSON, or has a `__proto__`/`constructor.prototype` key',
  tooLarge: error('the body is larger than MAX_BODY_BYTES'),
  unsupportedType: error('the content type is neither JSON nor a form'),
  internal: error('a fault in the gateway; `requestId` finds it in the log'),
  unavailable: error('Kafka or the database cannot take the request right now: retry after `Retry-After` seconds', RETRY_AFTER),
} as const;

/** The answers of a route that takes a body and writes to Kafka or reads the database, besides its own. */
export function bodyAnswers(invalid: string, options: { unavailable?: boolean } = {}): Record<number, DocumentedAnswer> {
  const answers: Record<number, DocumentedAnswer> = {
    400: error(`${invalid}; or ${commonAnswers.badJson}`),
    413: commonAnswers.tooLarge,
    415: commonAnswers.unsupportedType,
    500: commonAnswers.internal,
  };
  if (options.unavailable !== false) answers[503] = commonAnswers.unavailable;
  return answers;
}

/** The security requirement of the public API (`/v1`): `Authorization: Bearer <key>`, a key from API_KEYS. */
export const API_KEY_SECURITY = [{ apiKey: [] }];
/** Twilio's webhooks are authenticated by their `X-Twilio-Signature`. */
export const TWILIO_SIGNATURE_SECURITY = [{ twilioSignature: [] }];

/**
 * Documents the API key on every route of `api` (an encapsulated instance whose onRequest hook checks it): its
 * security requirement, the `apiKey` tag unless the route has tags, and the 401 answer.
 */
export function documentApiKey(api: FastifyInstance): void {
  api.addHook('onRoute', (route) => {
    const schema = (route.schema ?? {}) as FastifySchema & { security?: unknown; response?: Record<number, unknown> };
    if ((schema as { hide?: boolean }).hide) return;
    route.schema = {
      ...schema,
      security: schema.security ?? API_KEY_SECURITY,
      response: {
        401: error('no valid API key (`Authorization: Bearer <key>`, a key from API_KEYS)', {
          'www-authenticate': { description: '`Bearer`', schema: z.literal('Bearer') },
        }),
        ...schema.response,
      },
    } as FastifySchema;
  });
}

/** The ops routes come from @sms-survey/service-kit (every service has them): their documentation, by URL. */
const OPS_ROUTES: Record<string, FastifySchema & Record<string, unknown>> = {
  '/healthz': {
    tags: ['ops'],
    summary: 'Liveness: the process answers',
    response: { 200: json('alive', z.object({ status: z.literal('ok') })) },
  },
  '/readyz': {
    tags: ['ops'],
    summary: 'Readiness: Kafka, the database (and SURVEYS_DIR’s surveys, when set) answer right now',
    response: {
      200: json('ready', z.object({ status: z.literal('ready'), failing: z.array(z.string()).max(0) })),
      503: json('not ready: `failing` names the checks that fail', z.object({ status: z.literal('not ready'), failing: z.array(z.string()) })),
    },
  },
  '/metrics': {
    tags: ['ops'],
    summary: 'Prometheus metrics (text exposition format; docs/observability.md)',
    response: { 200: { description: 'the metrics', content: { 'text/plain': { schema: z.string() } } } },
  },
};

/** One zod schema as the type provider turns it into JSON Schema: as a request part (input) or an answer (output). */
function toJsonSchema(input: Parameters<typeof jsonSchemaTransform>[0], schema: z.ZodType, io: 'input' | 'output'): unknown {
  const part = io === 'input' ? { body: schema } : { response: { 200: schema } };
  const { schema: out } = jsonSchemaTransform({ ...input, schema: part }) as { schema: { body?: unknown; response?: Record<number, unknown> } };
  return withoutSchemaIds(io === 'input' ? out.body : out.response?.[200]);
}

/** A schema without the `$schema` and `$id` zod gives a top-level schema (they are not for a schema inside the document). */
function withoutSchemaIds(schema: unknown): unknown {
  if (schema === null || typeof schema !== 'object') return schema;
  const { $schema: _schema, $id: _id, ...rest } = schema as Record<string, unknown>;
  return rest;
}

const COMPONENTS = '#/components/schemas/';

/**
 * The type provider's `jsonSchemaTransformObject` (a component for each zod schema with a `meta({ id })`), then:
 * the schemas zod shares between components (`__shared#/$defs/<name>`, e.g. z.json()'s recursive JSON value) as
 * components of their own (`Shared_<name>`), since a `$ref` holds one fragment; no `$schema`/`$id` in
 * components; and only the components something refers to.
 */
function transformObject(input: Parameters<typeof jsonSchemaTransformObject>[0]): ReturnType<typeof jsonSchemaTransformObject> {
  const document = jsonSchemaTransformObject(input) as { paths?: unknown; components?: { schemas?: Record<string, unknown> } };
  const rewritten = JSON.parse(JSON.stringify(document).replaceAll(`"${COMPONENTS}__shared#/$defs/`, `"${COMPONENTS}Shared_`)) as typeof document;
  const schemas = rewritten.components?.schemas ?? {};
  const shared = (schemas['__shared'] as { $defs?: Record<string, unknown> } | undefined)?.$defs ?? {};
  delete schemas['__shared'];
  for (const [name, schema] of Object.entries(shared)) schemas[`Shared_${name}`] = schema;
  for (const name of Object.keys(schemas)) schemas[name] = withoutSchemaIds(schemas[name]);
  // Keep what the paths refer to, and what that refers to.
  const used = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string' && child.startsWith(COMPONENTS)) {
        const name = child.slice(COMPONENTS.length);
        if (!used.has(name)) {
          used.add(name);
          visit(schemas[name]);
        }
      } else {
        visit(child);
      }
    }
  };
  visit(rewritten.paths);
  for (const name of Object.keys(schemas)) if (!used.has(name)) delete schemas[name];
  return rewritten as ReturnType<typeof jsonSchemaTransformObject>;
}

/**
 * A stable operationId from the method and path, for client generators: `GET /v1/surveys/:surveyId/results` is
 * `getSurveysBySurveyIdResults` (unique, as method and path are).
 */
export function operationIdOf(method: string, url: string): string {
  const words = url
    .split('/')
    .filter((segment) => segment !== '' && segment !== 'v1')
    .map((segment) => (segment.startsWith(':') ? `by-${segment.slice(1)}` : segment))
    .flatMap((segment) => segment.split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

/**
 * The swagger transform: the type provider's `jsonSchemaTransform` for the request parts; answers are
 * DocumentedAnswer (description, content per media type, headers), each zod schema turned by the same transform.
 */
function transform(input: Parameters<typeof jsonSchemaTransform>[0]): ReturnType<typeof jsonSchemaTransform> {
  const { response, ...rest } = (input.schema ?? {}) as { response?: Record<string, DocumentedAnswer>; operationId?: string };
  const method = [input.route.method].flat()[0] ?? 'GET';
  const base = jsonSchemaTransform({ ...input, schema: { operationId: operationIdOf(method, input.url), ...rest } });
  if (!response || (base.schema as { hide?: boolean }).hide) return base;
  const answers: Record<string, unknown> = {};
  for (const [status, answer] of Object.entries(response)) {
    const headers =
      answer.headers && Object.fromEntries(Object.entries(answer.headers).map(([name, h]) => [name, { ...(toJsonSchema(input, h.schema, 'output') as object), description: h.description }]));
    answers[status] = {
      description: answer.description,
      ...(headers && { headers }),
      ...(answer.content
        ? { content: Object.fromEntries(Object.entries(answer.content).map(([type, media]) => [type, { schema: toJsonSchema(input, media.schema, 'output') }])) }
        : { type: 'null' }),
    };
  }
  return { ...base, schema: { ...base.schema, response: answers } };
}

const DESCRIPTION = [
  'The HTTP API of the ingest-gateway: the public API under `/v1` (an API key from API_KEYS as `Authorization: Bearer <key>`),',
  "Twilio's messaging webhooks and the Flex workspace's TaskRouter event callback (both checked against `X-Twilio-Signature`",
  'for PUBLIC_BASE_URL + path), and the ops routes. Every error answer is JSON `{ "error": …, "problems"?: […], "requestId"?: … }`;',
  '`problems` names each bad field. Survey definitions and the public API: docs/surveys.md; results: docs/console.md; Flex: docs/flex.md; webhooks: docs/messaging.md.',
  'Generated from the routes’ zod schemas by `npm run docs:openapi` (docs/openapi.json).',
].join(' ');

/**
 * Registers, before any route: the pass-through validator and serializer compilers, @fastify/swagger (its
 * onRoute hook sees every route registered after it), the docs of the ops routes, `GET /openapi.json` and the
 * docs page under `/docs`.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  // Route schemas document; handlers validate (see the top of this file).
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: OPENAPI_TITLE, version: OPENAPI_DOCUMENT_VERSION, description: DESCRIPTION },
      tags: [
        { name: 'surveys', description: 'Survey definitions and SendSurvey (docs/surveys.md)' },
        { name: 'results', description: 'Sessions and answers of a survey (docs/console.md)' },
        { name: 'flex', description: 'For Flex: the plugin’s survey transfer and outbound SMS tasks (docs/flex.md)' },
        { name: 'simulator', description: 'The console’s phone view, only while Twilio is the local simulator' },
        { name: 'twilio', description: 'Webhooks Twilio calls (docs/messaging.md, docs/flex.md)' },
        { name: 'ops', description: 'Health, readiness and metrics (docs/observability.md), and this document' },
        { name: 'console', description: 'The survey console, a web app served by the gateway (docs/console.md)' },
      ],
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'one of the keys in API_KEYS (default `dev-api-key`, for development only)' },
          twilioSignature: {
            type: 'apiKey',
            in: 'header',
            name: 'X-Twilio-Signature',
            description: "Twilio's HMAC-SHA1 signature of PUBLIC_BASE_URL + path + query and the form parameters, with TWILIO_AUTH_TOKEN (or TWILIO_AUTH_TOKEN_SECONDARY)",
          },
        },
      },
    },
    transform,
    transformObject,
  });
  app.addHook('onRoute', (route: RouteOptions) => {
    const docs = OPS_ROUTES[route.url];
    if (docs && route.method === 'GET' && !route.schema) route.schema = docs;
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX, theme: { title: OPENAPI_TITLE } });
  const documentSchema = {
    tags: ['ops'],
    summary: 'This OpenAPI 3.1 document (the docs page: /docs/)',
    response: { 200: json('the document', z.record(z.string(), z.unknown())) },
  };
  app.get(OPENAPI_PATH, { schema: documentSchema }, async () => app.swagger());
}

/**
 * The gateway's dependencies with every optional route (outbound SMS tasks, sessions, results, the simulator's)
 * and nothing connected: a call into any of them rejects. For reading the document without infrastructure
 * (tools/openapi/generate.ts) and for tests of what the routes refuse before they would call anything.
 */
export function disconnectedGatewayDeps(overrides: Partial<GatewayDeps> = {}): GatewayDeps {
  const unused = new Proxy({}, { get: (_target, name) => () => Promise.reject(new Error(`not connected (${String(name)})`)) });
  return {
    logger: pino({ level: 'silent' }),
    producer: unused as GatewayDeps['producer'],
    registry: new Registry(),
    readiness: [],
    publicBaseUrl: 'http://127.0.0.1:3000',
    twilioAuthTokens: ['documentation-only-token'],
    maxBodyBytes: 64 * 1024,
    apiKeys: ['documentation-only-key'],
    surveys: unused as GatewayDeps['surveys'],
    suppressions: unused as GatewayDeps['suppressions'],
    outboundSmsTasks: unused as NonNullable<GatewayDeps['outboundSmsTasks']>,
    sessions: unused as NonNullable<GatewayDeps['sessions']>,
    results: unused as NonNullable<GatewayDeps['results']>,
    simulator: { url: 'http://127.0.0.1:4010' },
    // Not built: the console's routes are the same either way in the document.
    consoleDir: resolve('.local', 'openapi-no-console'),
    ...overrides,
  };
}
