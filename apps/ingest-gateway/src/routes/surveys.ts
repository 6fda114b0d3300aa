import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { StoredSurvey, SurveyDefinitionRepository } from '@sms-survey/db';
import { SurveyPathParams } from '@sms-survey/contracts';
import { validateSurveyDefinition } from '@sms-survey/survey-domain';
import { HttpError } from '../http-errors.js';

export interface SurveyRoutesOptions {
  surveys: SurveyDefinitionRepository;
}

const VersionParams = SurveyPathParams.extend({ version: z.coerce.number().int().min(1).max(2_147_483_647) });

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

const describe = (stored: StoredSurvey) => ({
  surveyId: stored.surveyId,
  version: stored.version,
  createdAt: stored.createdAt.toISOString(),
  definition: stored.definition,
});

/**
 * Survey definitions (mounted under /v1). A PUT saves a new version unless the definition is identical to
 * the latest; versions are never changed or deleted, so a session keeps the version it started with.
 */
export function registerSurveyRoutes(api: FastifyInstance, options: SurveyRoutesOptions): void {
  const { surveys } = options;

  api.put('/surveys/:surveyId', async (request, reply) => {
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

  api.get('/surveys', async () => {
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

  api.get('/surveys/:surveyId', async (request) => {
    const { surveyId } = SurveyPathParams.parse(request.params);
    const stored = await surveys.latest(surveyId);
    if (!stored) throw new HttpError(404, `survey ${surveyId} not found`);
    return describe(stored);
  });

  api.get('/surveys/:surveyId/versions/:version', async (request) => {
    const { surveyId, version } = VersionParams.parse(request.params);
    const stored = await surveys.version(surveyId, version);
    if (!stored) throw new HttpError(404, `survey ${surveyId} version ${version} not found`);
    return describe(stored);
  });
}
