import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@sms-survey/testing';
import { buildGateway } from '../src/index.js';
import { DOCS_PREFIX, OPENAPI_DOCUMENT_VERSION, OPENAPI_PATH, OPENAPI_TITLE, disconnectedGatewayDeps } from '../src/openapi.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const OPENAPI_JSON_PATH = `${repoRoot}docs/openapi.json`;

type Operation = { operationId?: string; tags?: string[]; summary?: string; security?: Record<string, unknown>[]; responses: Record<string, { description: string }> };
type Document = { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, Operation>> };

/** The gateway with every optional route and nothing connected: a request that got past validation would fail. */
const deps = () =>
  disconnectedGatewayDeps({
    logger: silentLogger(),
    publicBaseUrl: 'https://surveys.example.com',
    twilioAuthTokens: ['twilio-auth-token-0123'],
    apiKeys: ['test-api-key-primary-0123'],
    simulator: { url: 'http://127.0.0.1:1' },
    consoleDir: `${repoRoot}.local/openapi-test-no-console`,
  });

let app: FastifyInstance;
let doc: Document;

beforeAll(async () => {
  app = await buildGateway(deps());
  await app.ready();
  doc = app.swagger() as unknown as Document;
});
afterAll(() => app.close());

const operations = () => Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with the title and document version', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: OPENAPI_TITLE, version: OPENAPI_DOCUMENT_VERSION });
  });

  it('has every route: the public API, the Twilio webhooks, the ops routes', () => {
    const paths = Object.keys(doc.paths);
    for (const path of [
      '/v1/surveys',
      '/v1/surveys/{surveyId}',
      '/v1/surveys/{surveyId}/versions/{version}',
      '/v1/surveys/{surveyId}/send',
      '/v1/surveys/{surveyId}/sessions',
      '/v1/surveys/{surveyId}/results',
      '/v1/surveys/{surveyId}/results/export',
      '/v1/flex/survey-transfer',
      '/v1/flex/outbound-sms-tasks',
      '/twilio/messaging/inbound',
      '/twilio/messaging/status',
      '/twilio/taskrouter/events',
      '/healthz',
      '/readyz',
      '/metrics',
    ]) {
      expect(paths).toContain(path);
    }
    // The docs page's own routes and the console's files are not API.
    expect(paths.filter((p) => p.startsWith(DOCS_PREFIX) || p.startsWith('/console/'))).toEqual([]);
  });

  it('documents each route it has (a route without a schema would show up with "Default Response" and no tag)', () => {
    for (const { path, method, op } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(op.tags?.length, `${where} has a tag`).toBeGreaterThan(0);
      expect(op.summary, `${where} has a summary`).toBeTruthy();
      for (const [status, response] of Object.entries(op.responses)) expect(response.description, `${where} ${status}`).not.toBe('Default Response');
    }
    // Client generators name their functions by operationId: one for every operation, none twice.
    const ids = operations().map(({ op }) => op.operationId);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(operations().find((o) => o.path === '/v1/surveys/{surveyId}/results' && o.method === 'get')?.op.operationId).toBe('getSurveysBySurveyIdResults');
  });

  it('says which routes need the API key (all of /v1, with their 401) and which a Twilio signature (with their 403)', () => {
    for (const { path, op } of operations()) {
      if (path.startsWith('/v1/')) {
        expect(op.security, path).toEqual([{ apiKey: [] }]);
        expect(op.responses['401'], path).toBeDefined();
      } else if (path.startsWith('/twilio/')) {
        expect(op.security, path).toEqual([{ twilioSignature: [] }]);
        expect(op.responses['403'], path).toBeDefined();
      } else {
        expect(op.security, path).toBeUndefined();
      }
    }
  });

  it('is served at /openapi.json, and the docs page under /docs/ from the package’s own files', async () => {
    const served = await app.inject({ method: 'GET', url: OPENAPI_PATH });
    expect(served.statusCode).toBe(200);
    expect(served.json()).toEqual(JSON.parse(JSON.stringify(doc)));
    const page = await app.inject({ method: 'GET', url: `${DOCS_PREFIX}/` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    // Offline: every script and stylesheet is one of the gateway's own.
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(2);
    for (const asset of assets) expect(asset).toMatch(/^\.\/static\//);
    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css', 'swagger-initializer.js']) {
      expect((await app.inject({ method: 'GET', url: `${DOCS_PREFIX}/static/${asset}` })).statusCode, asset).toBe(200);
    }
    const initializer = await app.inject({ method: 'GET', url: `${DOCS_PREFIX}/static/swagger-initializer.js` });
    expect(initializer.body).toContain('validatorUrl: null');
  });
});

describe('route schemas document only: the handlers still validate, with their own messages and order', () => {
  const auth = { authorization: 'Bearer test-api-key-primary-0123' };

  it('SendSurvey: every problem of params, body and Idempotency-Key in one 400', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/surveys/csat/send',
      headers: { ...auth, 'idempotency-key': '' },
      payload: { identifier: '12345', identifierType: 'Phone', channel: 'SMS' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid request',
      problems: ['identifier: must be an E.164 phone number such as +4791234567', 'Idempotency-Key: Too small: expected string to have >=1 characters'],
    });
  });

  it('the API key before anything else; the Twilio signature before the form', async () => {
    expect((await app.inject({ method: 'POST', url: '/v1/surveys/csat/send', payload: {} })).statusCode).toBe(401);
    const unsigned = await app.inject({ method: 'POST', url: '/twilio/messaging/inbound', payload: 'Body=hi', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(unsigned.statusCode).toBe(403);
    expect(unsigned.json()).toEqual({ error: 'missing or invalid X-Twilio-Signature' });
  });

  it('query strings are not coerced or checked by the schema (the sessions route reports its own problems)', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/surveys/csat/sessions?limit=0&extra=1', headers: auth });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid request');
    expect(res.json().problems.join('\n')).toMatch(/limit/);
  });
});

describe('docs/openapi.json', () => {
  it('is up to date with the routes', () => {
    const hint = 'docs/openapi.json is out of date with the gateway’s routes: run `npm run docs:openapi` and commit the result';
    // The generator itself (tools/ is outside every project, so it is run rather than imported).
    const fresh = execFileSync(process.execPath, ['--import', 'tsx', 'tools/openapi/generate.ts', '--stdout'], { cwd: repoRoot, encoding: 'utf8' });
    expect(JSON.parse(fresh)).toEqual(JSON.parse(JSON.stringify(doc)));
    expect(existsSync(OPENAPI_JSON_PATH), hint).toBe(true);
    expect(readFileSync(OPENAPI_JSON_PATH, 'utf8'), hint).toBe(fresh);
  }, 60_000);
});
