import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SessionEndStatus, SurveyPathParams } from '@sms-survey/contracts';
import type { SurveyDefinitionRepository } from '@sms-survey/db';
import { decodeCursor, type SurveySessionReader } from '../api/survey-sessions.js';
import { HttpError, zodIssues } from '../http-errors.js';

export interface SurveySessionRoutesOptions {
  sessions: SurveySessionReader;
  surveys: SurveyDefinitionRepository;
}

export const SESSIONS_PAGE_DEFAULT = 20;
export const SESSIONS_PAGE_MAX = 100;

const SessionsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(SESSIONS_PAGE_MAX).default(SESSIONS_PAGE_DEFAULT),
  /** The `nextCursor` of the previous page. */
  before: z.string().max(200).optional(),
  version: z.coerce.number().int().min(1).max(2_147_483_647).optional(),
  status: z.union([z.literal('active'), SessionEndStatus]).optional(),
});

/**
 * `GET /v1/surveys/:surveyId/sessions` (mounted under /v1, API key; read-only): the survey's sessions, newest
 * first, each with its status and answers, phone numbers masked but for their last 3 digits; paged with
 * `limit` (default 20, at most 100) and `before` (the previous page's `nextCursor`), filtered by `version` and
 * `status`; `counts` has the sessions of the survey (or version) by status. 404 for a survey that does not exist.
 */
export function registerSurveySessionRoutes(api: FastifyInstance, options: SurveySessionRoutesOptions): void {
  api.get('/surveys/:surveyId/sessions', async (request) => {
    const params = SurveyPathParams.safeParse(request.params);
    const query = SessionsQuery.safeParse(request.query);
    const problems = [...(params.success ? [] : zodIssues(params.error)), ...(query.success ? [] : zodIssues(query.error))];
    const before = query.success && query.data.before !== undefined ? decodeCursor(query.data.before) : undefined;
    if (query.success && query.data.before !== undefined && !before) problems.push('before: not a cursor this API returned (use nextCursor)');
    if (!params.success || !query.success || problems.length > 0) throw new HttpError(400, 'invalid request', problems);
    if (!(await options.surveys.latest(params.data.surveyId))) throw new HttpError(404, `survey ${params.data.surveyId} not found`);
    return options.sessions.page({
      surveyId: params.data.surveyId,
      limit: query.data.limit,
      before,
      version: query.data.version,
      status: query.data.status,
    });
  });
}
