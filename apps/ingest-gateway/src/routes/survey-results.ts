import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SurveyPathParams } from '@sms-survey/contracts';
import {
  EXPORT_PAGE_DEFAULT,
  ExportPage,
  ExportQuery,
  ResultsQuery,
  ResultsResponse,
  csvHeader,
  csvLine,
  csvQuestionColumns,
  decodeCursor,
  type ResultsScope,
  type SurveyResultsReader,
} from '../api/survey-results.js';
import { HttpError, zodIssues } from '../http-errors.js';
import { commonAnswers, error, json } from '../openapi.js';

export interface SurveyResultsRoutesOptions {
  results: SurveyResultsReader;
}

/** Sessions read per query while a CSV export streams. */
export const CSV_BATCH = 1000;

const NEXT_CURSOR_HEADER = 'x-next-cursor';

const errors = {
  400: error('a bad query string parameter (each named in `problems`)'),
  404: error('no such survey'),
  500: commonAnswers.internal,
  503: commonAnswers.unavailable,
};

/** The route schemas (zod), for the OpenAPI document; the handlers validate with the same schemas. */
export const surveyResultsSchemas = {
  results: {
    tags: ['results'],
    summary: "A survey's results: sessions by outcome, rates, per-question distributions, CSAT and NPS by day, queue and agent",
    params: SurveyPathParams,
    querystring: ResultsQuery,
    response: { 200: json('the results', ResultsResponse), ...errors },
  },
  export: {
    tags: ['results'],
    summary: "A survey's sessions with their answers, newest first: a JSON page, or CSV (streamed)",
    params: SurveyPathParams,
    querystring: ExportQuery,
    response: {
      200: {
        description: 'JSON: one page (`nextCursor` for the next); CSV: one line per session, every matching session (or `limit`, with the next cursor in `x-next-cursor`)',
        content: { 'application/json': { schema: ExportPage }, 'text/csv': { schema: z.string() } },
        headers: { [NEXT_CURSOR_HEADER]: { description: 'CSV with `limit`: pass as `before` for the next page (absent on the last)', schema: z.string() } },
      },
      ...errors,
    },
  },
};

function parse<P, Q>(params: z.ZodType<P>, query: z.ZodType<Q>, request: { params: unknown; query: unknown }): { params: P; query: Q; problems: string[] } {
  const p = params.safeParse(request.params);
  const q = query.safeParse(request.query);
  const problems = [...(p.success ? [] : zodIssues(p.error)), ...(q.success ? [] : zodIssues(q.error))];
  return { params: p.data as P, query: q.data as Q, problems };
}

/**
 * The results API (mounted under /v1, API key; read-only, computed in SQL from the orchestrator's tables):
 * - `GET /v1/surveys/:surveyId/results` — aggregates of the survey (or `version`), sessions started in
 *   [`from`, `to`): by outcome, response and completion rates, per-question distributions, CSAT and NPS overall,
 *   per day (`tz`), per queueKey and per agentId;
 * - `GET /v1/surveys/:surveyId/results/export` — its sessions with their answers, newest first, filtered by
 *   version, status, from/to, queueKey and agentId: `format=json` one keyset page (`limit`, `before`), `format=csv`
 *   streamed. Numbers masked but for their last 3 digits; of the messages only the customer's replies.
 * 404 for a survey that does not exist, 400 naming each bad parameter. docs/console.md has the details.
 */
export function registerSurveyResultsRoutes(api: FastifyInstance, options: SurveyResultsRoutesOptions): void {
  const { results } = options;

  api.get('/surveys/:surveyId/results', { schema: surveyResultsSchemas.results }, async (request) => {
    const { params, query, problems } = parse(SurveyPathParams, ResultsQuery, request);
    if (problems.length > 0) throw new HttpError(400, 'invalid request', problems);
    const versions = await results.definitions(params.surveyId);
    if (versions.length === 0) throw new HttpError(404, `survey ${params.surveyId} not found`);
    if (query.version !== undefined && !versions.some((v) => v.version === query.version)) {
      throw new HttpError(400, 'invalid request', [`version: survey ${params.surveyId} has no version ${query.version} (latest: ${versions[versions.length - 1]!.version})`]);
    }
    const elements = results.scoredElements(versions, query);
    if ('problem' in elements) throw new HttpError(400, 'invalid request', [elements.problem]);
    if (!(await results.knowsTimeZone(query.tz))) throw new HttpError(400, 'invalid request', [`tz: the database does not know the time zone "${query.tz}"`]);
    return results.results({ ...query, surveyId: params.surveyId }, elements);
  });

  api.get('/surveys/:surveyId/results/export', { schema: surveyResultsSchemas.export }, async (request, reply) => {
    const { params, query, problems } = parse(SurveyPathParams, ExportQuery, request);
    const before = query?.before !== undefined ? decodeCursor(query.before) : undefined;
    if (query?.before !== undefined && !before) problems.push('before: not a cursor this API returned (use nextCursor)');
    if (problems.length > 0) throw new HttpError(400, 'invalid request', problems);
    const versions = await results.definitions(params.surveyId);
    if (versions.length === 0) throw new HttpError(404, `survey ${params.surveyId} not found`);
    const scope: ResultsScope = {
      surveyId: params.surveyId,
      version: query.version,
      status: query.status,
      from: query.from,
      to: query.to,
      queueKey: query.queueKey,
      agentId: query.agentId,
    };
    if (query.format === 'json') return results.exportPage(scope, query.limit ?? EXPORT_PAGE_DEFAULT, before);

    const columns = csvQuestionColumns(versions);
    const filename = `${params.surveyId.replace(/[^A-Za-z0-9._-]/g, '_')}-sessions.csv`;
    reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`);
    if (query.limit !== undefined) {
      // One page, as JSON pages are: the next cursor in a header.
      const page = await results.exportPage(scope, query.limit, before);
      if (page.nextCursor) reply.header(NEXT_CURSOR_HEADER, page.nextCursor);
      return reply.send(csvHeader(columns) + page.sessions.map((s) => csvLine(s, columns)).join(''));
    }
    // Every matching session, CSV_BATCH at a time by keyset: the first batch is read before the answer starts, so
    // a database error is still a 503; a later one ends the stream early (logged).
    const first = await results.exportPage(scope, CSV_BATCH, before);
    async function* lines() {
      yield csvHeader(columns);
      let page = first;
      for (;;) {
        yield page.sessions.map((s) => csvLine(s, columns)).join('');
        const cursor = page.nextCursor ? decodeCursor(page.nextCursor) : undefined;
        if (!cursor) return;
        page = await results.exportPage(scope, CSV_BATCH, cursor);
      }
    }
    const stream = Readable.from(lines(), { objectMode: false });
    stream.on('error', (err) => request.log.error({ err, requestId: request.id }, 'CSV export ended early'));
    return reply.send(stream);
  });
}
