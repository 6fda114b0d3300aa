import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { StoredSurvey, SurveyDefinitionRepository } from '@sms-survey/db';
import { SurveyPathParams } from '@sms-survey/contracts';
import { SurveyDefinition, validateSurveyDefinition } from '@sms-survey/survey-domain';
import { HttpError } from '../http-errors.js';
import { bodyAnswers, commonAnswers, error, json } from '../openapi.js';

export interface SurveyRoutesOptions {
  surveys: SurveyDefinitionRepository;
}

const VersionParams = SurveyPathParams.extend({ version: z.coerce.number().int().min(1).max(2_147_483_647) });

// For the OpenAPI document (openapi.ts): the definition as the engine validates it, and the answers below.
const SurveyDefinitionDoc = SurveyDefinition.meta({
  id: 'SurveyDefinition',
  description: 'A survey definition (docs/surveys.md). Read back with `rules`, `texts` and `settings` filled in with their defaults.',
});
const SurveySaved = z.object({ surveyId: z.string(), version: z.int().min(1), created: z.boolean() });
const StoredSurveyAnswer = z.object({ surveyId: z.string(), version: z.int().min(1), createdAt: z.iso.datetime(), definition: SurveyDefinitionDoc });
const SurveyList = z.object({
  surveys: z.array(z.object({ surveyId: z.string(), version: z.int().min(1), name: z.unknown(), languages: z.unknown(), createdAt: z.iso.datetime() })),
});
const readAnswers = { 500: commonAnswers.internal, 503: commonAnswers.unavailable };

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

const describe = (stored: StoredSurvey): z.input<typeof StoredSurveyAnswer> => ({
  surveyId: stored.surveyId,
  version: stored.version,
  createdAt: stored.createdAt.toISOString(),
  definition: stored.definition as SurveyDefinition,
});

/**
 * Survey definitions (mounted under /v1). A PUT saves a new version unless the definition is identical to
 * the latest; versions are never changed or deleted, so a session keeps the version it started with.
 */
export function registerSurveyRoutes(api: FastifyInstance, options: SurveyRoutesOptions): void {
  const { surveys } = options;

  const putSchema = {
    tags: ['surveys'],
    summary: 'Save a survey definition as a new version (unless identical to the latest)',
    description: 'Versions are never changed or deleted: a session keeps the version it started with. The definition is validated whole; `problems` lists every problem, each prefixed with where it is.',
    params: SurveyPathParams,
    body: SurveyDefinitionDoc,
    response: {
      201: json('a new version was saved', SurveySaved, { location: { description: 'the new version: `/v1/surveys/{surveyId}/versions/{version}`', schema: z.string() } }),
      200: json('identical to the latest version: nothing saved', SurveySaved),
      ...bodyAnswers('the definition is not valid (`problems`), or its `id` is not the one in the URL'),
    },
  };
  api.put('/surveys/:surveyId', { schema: putSchema }, async (request, reply) => {
    const { surveyId } = SurveyPathParams.parse(request.params);
    const result = validateSurveyDefinition(request.body);
    const problems = result.ok ? [] : [...result.problems];
    const bodyId = asRecord(request.body)['id'];
    // A missing or malformed id is already reported by the validation.
    if (typeof bodyId === 'string' && bodyId !== surveyId) {
      problems.push(`id: "${bodyId}" does not match the survey id in the URL ("${surveyId}")`);
    }
    if (!result.ok || problems.length > 0) throw new HttpError(400, 'invalid survey definition', problems);
    // The parsed definition, defaults filled in: equivalent definitions are identical and share a version.
    const { version, created } = await surveys.save(surveyId, result.survey);
    request.log.info({ surveyId, version, created }, created ? 'survey version saved' : 'survey unchanged');
    if (created) reply.header('location', `/v1/surveys/${encodeURIComponent(surveyId)}/versions/${version}`);
    return reply.code(created ? 201 : 200).send({ surveyId, version, created });
  });

  api.get('/surveys', { schema: { tags: ['surveys'], summary: 'The latest version of every survey', response: { 200: json('the surveys', SurveyList), ...readAnswers } } }, async () => {
    const latest = await surveys.listLatest();
    return {
      surveys: latest.map((stored) => {
        const definition = asRecord(stored.definition);
        return {
          surveyId: stored.surveyId,
          version: stored.version,
          name: definition['name'],
          languages: definition['languages'],
          createdAt: stored.createdAt.toISOString(),
        };
      }),
    };
  });

  const getSchema = {
    tags: ['surveys'],
    summary: 'The latest version of a survey',
    params: SurveyPathParams,
    response: { 200: json('the survey', StoredSurveyAnswer), 400: error('a bad survey id'), 404: error('no such survey'), ...readAnswers },
  };
  api.get('/surveys/:surveyId', { schema: getSchema }, async (request) => {
    const { surveyId } = SurveyPathParams.parse(request.params);
    const stored = await surveys.latest(surveyId);
    if (!stored) throw new HttpError(404, `survey ${surveyId} not found`);
    return describe(stored);
  });

  const versionSchema = {
    tags: ['surveys'],
    summary: 'One version of a survey',
    params: VersionParams,
    response: { 200: json('the survey version', StoredSurveyAnswer), 400: error('a bad survey id or version'), 404: error('no such survey or version'), ...readAnswers },
  };
  api.get('/surveys/:surveyId/versions/:version', { schema: versionSchema }, async (request) => {
    const { surveyId, version } = VersionParams.parse(request.params);
    const stored = await surveys.version(surveyId, version);
    if (!stored) throw new HttpError(404, `survey ${surveyId} version ${version} not found`);
    return describe(stored);
  });
}
