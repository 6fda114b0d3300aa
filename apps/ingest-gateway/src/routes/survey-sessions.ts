import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SessionEndStatus, SurveyPathParams } from '@sms-survey/contracts';
import type { SurveyDefinitionRepository } from '@sms-survey/db';
import { decodeCursor, type SessionPage, type SurveySessionReader } from '../api/survey-sessions.js';
import { HttpError, zodIssues } from '../http-errors.js';
import { commonAnswers, error, json } from '../openapi.js';

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

/** The answer (api/survey-sessions.ts's SessionPage), for the OpenAPI document. */
const SessionPageAnswer = z.object({
  sessions: z.array(
    z.object({
      sessionId: z.uuid(),
      surveyVersion: z.int(),
      customer: z.string().meta({ description: 'masked but for the last 3 digits: `+•••••••567`' }),
      status: z.string(),
      language: z.string(),
      currentElementId: z.string().nullable(),
      startedAt: z.iso.datetime(),
      endedAt: z.iso.datetime().nullable(),
      endReason: z.string().nullable(),
      variables: z.record(z.string(), z.string()).meta({ description: 'the reporting keys of the userSessionVariables (queueKey, agentId, userGroupId, systemCountry, consumerChannel)' }),
      answers: z.array(z.object({ elementId: z.string(), elementType: z.string(), value: z.unknown(), rawReply: z.string(), answeredAt: z.iso.datetime() })),
    }),
  ),
  nextCursor: z.string().nullable().meta({ description: 'pass as `before` for the next (older) page; null on the last page' }),
  counts: z.record(z.string(), z.int()).meta({ description: 'sessions of the survey (or of `version`) by status' }),
  total: z.int(),
}) satisfies z.ZodType<SessionPage>;

/**
 * `GET /v1/surveys/:surveyId/sessions` (mounted under /v1, API key; read-only): the survey's sessions, newest
 * first, each with its status and answers, phone numbers masked but for their last 3 digits; paged with
 * `limit` (default 20, at most 100) and `before` (the previous page's `nextCursor`), filtered by `version` and
 * `status`; `counts` has the sessions of the survey (or version) by status. 404 for a survey that does not exist.
 */
export function registerSurveySessionRoutes(api: FastifyInstance, options: SurveySessionRoutesOptions): void {
  const schema = {
    tags: ['results'],
    summary: "A survey's sessions with their answers, newest first (paged)",
    params: SurveyPathParams,
    querystring: SessionsQuery,
    response: {
      200: json('a page of sessions', SessionPageAnswer),
      400: error('a bad parameter (each named in `problems`)'),
      404: error('no such survey'),
      500: commonAnswers.internal,
      503: commonAnswers.unavailable,
    },
  };
  api.get('/surveys/:surveyId/sessions', { schema }, async (request) => {
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
