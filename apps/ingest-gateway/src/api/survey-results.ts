import { z } from 'zod';
import { SessionEndStatus } from '@sms-survey/contracts';
import { Prisma, type PrismaClient } from '@sms-survey/db';
import { decodeCursor, encodeCursor, maskPhoneNumber, type Cursor } from './survey-sessions.js';

// The results API (GET /v1/surveys/:surveyId/results and …/results/export): aggregates and a keyset-paged export
// of one survey's sessions and answers, computed in SQL from the orchestrator's survey_session and survey_answer
// tables (read only). Every query starts from the index survey_session(survey_id, started_at, id). The zod
// schemas of the query strings and the answers are exported for the OpenAPI document.

// ---- query strings ----

const MAX_INT = 2_147_483_647;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 date (`2026-11-20`, midnight UTC) or date-time with an offset (`2026-11-20T10:00:00Z`). */
const Instant = z
  .string()
  .max(40)
  .refine((v) => (DATE.test(v) || DATE_TIME.test(v)) && !Number.isNaN(Date.parse(DATE.test(v) ? `${v}T00:00:00Z` : v)), {
    message: 'must be an ISO 8601 date (2026-11-20) or date-time with an offset (2026-11-20T10:00:00Z)',
  })
  .transform((v) => new Date(DATE.test(v) ? `${v}T00:00:00Z` : v));

const isTimeZone = (value: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
};

const ElementId = z.string().min(1).max(200);
const Version = z.coerce.number().int().min(1).max(MAX_INT);
const Status = z.union([z.literal('active'), SessionEndStatus]);
const ReportingValue = z.string().min(1).max(1000);

const timeRange = <T extends { from?: Date | undefined; to?: Date | undefined }>(q: T, ctx: z.RefinementCtx) => {
  if (q.from && q.to && q.from >= q.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be later than from' });
};

/** `GET /v1/surveys/:surveyId/results`: the survey (or one version), sessions started in [from, to). */
export const ResultsQuery = z
  .strictObject({
    version: Version.optional(),
    /** Sessions started at or after this instant. */
    from: Instant.optional(),
    /** Sessions started before this instant. */
    to: Instant.optional(),
    /** The time zone of the day buckets (IANA name), default UTC. */
    tz: z.string().max(64).refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/Oslo or UTC' }).default('UTC'),
    /** The CSAT question: default the first scale element from 1 to 5. */
    csatElement: ElementId.optional(),
    /** The NPS question: default the first NPS element. */
    npsElement: ElementId.optional(),
  })
  .superRefine(timeRange);
export type ResultsQuery = z.infer<typeof ResultsQuery>;

export const EXPORT_PAGE_DEFAULT = 100;
export const EXPORT_PAGE_MAX = 1000;

/** `GET /v1/surveys/:surveyId/results/export`. */
export const ExportQuery = z
  .strictObject({
    /** `json` (default): one page with `nextCursor`; `csv`: every matching session, streamed (or `limit` of them). */
    format: z.enum(['json', 'csv']).default('json'),
    /** Sessions per page, 1–1000 (JSON default 100; CSV default: all). */
    limit: z.coerce.number().int().min(1).max(EXPORT_PAGE_MAX).optional(),
    /** The `nextCursor` of the previous page. */
    before: z.string().max(200).optional(),
    version: Version.optional(),
    status: Status.optional(),
    from: Instant.optional(),
    to: Instant.optional(),
    /** Only sessions whose userSessionVariables have this `queueKey`. */
    queueKey: ReportingValue.optional(),
    /** Only sessions whose userSessionVariables have this `agentId`. */
    agentId: ReportingValue.optional(),
  })
  .superRefine(timeRange);
export type ExportQuery = z.infer<typeof ExportQuery>;

// ---- answers ----

const Count = z.number().int().min(0);
const Rate = z.number().min(0).max(1).nullable();

export const ResultTotals = z.object({
  /** Every session (one survey sent to one customer). */
  sent: Count,
  /** Sessions with at least one answer. */
  answered: Count,
  completed: Count,
  expired: Count,
  optedOut: Count,
  failed: Count,
  active: Count,
  abandoned: Count,
  superseded: Count,
});

export const QuestionResult = z.object({
  elementId: z.string(),
  elementType: z.string(),
  /** Answers recorded for the element. */
  answers: Count,
  /** Mean of the numeric answers (scale, NPS); null for other types. */
  mean: z.number().nullable(),
  /** Each stored value (JSON text: `4`, `true`, `"…"`; a multiple-choice answer counts once per option chosen) with its count, in value order; free text is not listed. */
  values: z.array(z.object({ value: z.string(), count: Count })),
});

export const CsatScore = z.object({
  answers: Count,
  /** Answers in the top two points of the scale (4 or 5 on 1–5). */
  satisfied: Count,
  /** satisfied / answers, 0–100; null without answers. */
  score: z.number().nullable(),
});
export const NpsScore = z.object({
  answers: Count,
  promoters: Count,
  passives: Count,
  detractors: Count,
  /** % promoters (9–10) − % detractors (0–6), −100 to 100; null without answers. */
  score: z.number().nullable(),
});

const breakdown = <T extends z.ZodType>(score: T) =>
  z.object({
    elementId: z.string().nullable(),
    overall: score,
    byDay: z.array(z.object({ day: z.string() }).and(score)),
    byQueue: z.array(z.object({ queueKey: z.string().nullable() }).and(score)),
    byAgent: z.array(z.object({ agentId: z.string().nullable() }).and(score)),
  });
export const CsatResult = breakdown(CsatScore);
export const NpsResult = breakdown(NpsScore);

export const ResultsResponse = z.object({
  surveyId: z.string(),
  version: z.number().int().nullable(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  timeZone: z.string(),
  totals: ResultTotals,
  /** answered / sent and completed / sent; null when nothing was sent. */
  rates: z.object({ response: Rate, completion: Rate }),
  questions: z.array(QuestionResult),
  csat: CsatResult,
  nps: NpsResult,
});
export type ResultsResponse = z.infer<typeof ResultsResponse>;

export const ExportedSession = z.object({
  sessionId: z.string(),
  surveyVersion: z.number().int(),
  /** Masked: only the last 3 digits are shown. */
  customer: z.string(),
  status: z.string(),
  language: z.string(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  endReason: z.string().nullable(),
  queueKey: z.string().nullable(),
  agentId: z.string().nullable(),
  /** The customer's replies (`rawReply`) and their stored values, oldest first. */
  answers: z.array(z.object({ elementId: z.string(), elementType: z.string(), value: z.unknown(), rawReply: z.string(), answeredAt: z.string() })),
});
export type ExportedSession = z.infer<typeof ExportedSession>;

export const ExportPage = z.object({
  sessions: z.array(ExportedSession),
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type ExportPage = z.infer<typeof ExportPage>;

// ---- SQL ----

/** What a results query covers. */
export interface ResultsScope {
  surveyId: string;
  version?: number | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  status?: string | undefined;
  queueKey?: string | undefined;
  agentId?: string | undefined;
}

const variable = (key: string, value: string) => JSON.stringify([{ key, value }]);

/** The WHERE clause over `survey_session s`. */
function scopeWhere(scope: ResultsScope): Prisma.Sql {
  const parts = [Prisma.sql`s.survey_id = ${scope.surveyId}`];
  if (scope.version !== undefined) parts.push(Prisma.sql`s.survey_version = ${scope.version}`);
  if (scope.from) parts.push(Prisma.sql`s.started_at >= ${scope.from}`);
  if (scope.to) parts.push(Prisma.sql`s.started_at < ${scope.to}`);
  if (scope.status !== undefined) parts.push(Prisma.sql`s.status = ${scope.status}`);
  if (scope.queueKey !== undefined) parts.push(Prisma.sql`s.user_session_variables @> ${variable('queueKey', scope.queueKey)}::jsonb`);
  if (scope.agentId !== undefined) parts.push(Prisma.sql`s.user_session_variables @> ${variable('agentId', scope.agentId)}::jsonb`);
  return Prisma.join(parts, ' AND ');
}

/** A userSessionVariables value of `s` (the first entry with that key), or null. */
const variableOf = (key: 'queueKey' | 'agentId') => Prisma.sql`(jsonb_path_query_first(s.user_session_variables, ${`$[*] ? (@.key == "${key}").value`}::jsonpath) #>> '{}')`;

/** Sessions by status; `answered`: those with at least one answer (a semi-join the planner may hash or loop). */
export function totalsSql(scope: ResultsScope): Prisma.Sql {
  return Prisma.sql`
    SELECT count(*)::int AS sent,
           (SELECT count(*) FROM survey_session s
             WHERE ${scopeWhere(scope)} AND EXISTS (SELECT 1 FROM survey_answer a WHERE a.session_id = s.id))::int AS answered,
           count(*) FILTER (WHERE s.status = 'completed')::int AS completed,
           count(*) FILTER (WHERE s.status = 'expired')::int AS expired,
           count(*) FILTER (WHERE s.status = 'opted-out')::int AS "optedOut",
           count(*) FILTER (WHERE s.status = 'failed')::int AS failed,
           count(*) FILTER (WHERE s.status = 'active')::int AS active,
           count(*) FILTER (WHERE s.status = 'abandoned')::int AS abandoned,
           count(*) FILTER (WHERE s.status = 'superseded')::int AS superseded
      FROM survey_session s
     WHERE ${scopeWhere(scope)}`;
}

/**
 * In one pass over the answers of the scope: how many of each stored value per element (free text: how many,
 * not by value). Multiple-choice arrays, the means and the totals are summed from these few rows.
 */
export function questionsSql(scope: ResultsScope): Prisma.Sql {
  return Prisma.sql`
    SELECT a.element_id AS "elementId", a.element_type AS "elementType",
           CASE WHEN a.element_type = 'free-text' THEN NULL ELSE a.value END AS value, count(*)::int AS count
      FROM survey_session s JOIN survey_answer a ON a.session_id = s.id
     WHERE ${scopeWhere(scope)}
     GROUP BY 1, 2, 3`;
}

/** A results query is cancelled after this (the answer is then a 503). */
export const AGGREGATE_TIMEOUT_MS = 60_000;

/**
 * The settings each kind of results query runs with, in a transaction of its own (SET LOCAL):
 * - `random_page_cost` 1.1 (an SSD's, rather than PostgreSQL's default 4 of a spinning disk) for all of them: a
 *   week's aggregates then go through the indexes (nested loops into survey_answer(session_id)) instead of
 *   hashing every answer of the table, and a page filtered by a rare agent walks the survey's index;
 * - `work_mem` 64 MB for the aggregates: a million sessions' ids hash in about 60 MB, in memory rather than in
 *   temporary files; 256 MB for the CSAT/NPS breakdown, so that PostgreSQL hashes its four GROUPING SETS in one
 *   pass (it expects up to a group per row, since it has no statistics of queue and agent; the real tables are
 *   small, a few MB) instead of sorting the rows three times;
 * - a statement timeout of AGGREGATE_TIMEOUT_MS.
 */
export function settingsFor(kind: 'aggregate' | 'scores' | 'page'): string[] {
  const workMem = kind === 'scores' ? '256MB' : kind === 'aggregate' ? '64MB' : undefined;
  return [`SET LOCAL random_page_cost = 1.1`, ...(workMem ? [`SET LOCAL work_mem = '${workMem}'`] : []), `SET LOCAL statement_timeout = ${AGGREGATE_TIMEOUT_MS}`];
}

/** How many queues/agents each breakdown lists at most (those with the most answers). */
export const MAX_GROUPS = 200;

/**
 * CSAT (answers in the top two points of the CSAT scale: 4–5 on 1–5) and NPS (9–10 promoters, 7–8 passives, 0–6 detractors on the NPS
 * element), overall, per day of the session's start (in `timeZone`), per queueKey and per agentId, in one pass
 * with GROUPING SETS. `grouping` says which: 0 overall, 1 day, 2 queue, 3 agent.
 */
export function scoresSql(scope: ResultsScope, elements: ScoredElements, timeZone: string): Prisma.Sql {
  const ids = [elements.csat, elements.nps].filter((id): id is string => id !== null);
  if (ids.length === 0) return Prisma.sql`SELECT NULL::text AS kind, 0 AS grouping, NULL::text AS day, NULL::text AS "queueKey", NULL::text AS "agentId", 0 AS answers, 0 AS high, 0 AS middle, 0 AS low WHERE false`;
  return Prisma.sql`
    WITH scored AS (
      SELECT CASE WHEN a.element_id = ${elements.csat ?? ''} AND a.element_type = 'scale' THEN 'csat' ELSE 'nps' END AS kind,
             CASE WHEN jsonb_typeof(a.value) = 'number' THEN (a.value #>> '{}')::numeric END AS n,
             (s.started_at AT TIME ZONE ${timeZone})::date AS day,
             ${variableOf('queueKey')} COLLATE "C" AS queue_key,
             ${variableOf('agentId')} COLLATE "C" AS agent_id
        FROM survey_session s JOIN survey_answer a ON a.session_id = s.id
       WHERE ${scopeWhere(scope)}
         AND a.element_id IN (${Prisma.join(ids)})
         AND a.element_type IN ('scale', 'nps')
         AND ((a.element_id = ${elements.csat ?? ''} AND a.element_type = 'scale') OR (a.element_id = ${elements.nps ?? ''} AND a.element_type = 'nps'))
    )
    SELECT kind, (CASE WHEN GROUPING(day) = 0 THEN 1 WHEN GROUPING(queue_key) = 0 THEN 2 WHEN GROUPING(agent_id) = 0 THEN 3 ELSE 0 END)::int AS grouping,
           day::text AS day, queue_key AS "queueKey", agent_id AS "agentId",
           count(n)::int AS answers,
           count(*) FILTER (WHERE (kind = 'csat' AND n >= ${elements.csatTop}) OR (kind = 'nps' AND n >= 9))::int AS high,
           count(*) FILTER (WHERE kind = 'nps' AND n >= 7 AND n < 9)::int AS middle,
           count(*) FILTER (WHERE kind = 'nps' AND n < 7)::int AS low
      FROM scored
     GROUP BY GROUPING SETS ((kind), (kind, day), (kind, queue_key), (kind, agent_id))`;
}

/** One page of sessions with their answers, newest first, after `before`. */
export function exportSql(scope: ResultsScope, limit: number, before?: Cursor): Prisma.Sql {
  const after = before ? Prisma.sql`AND (s.started_at, s.id) < (${before.startedAt}, ${before.id}::uuid)` : Prisma.empty;
  return Prisma.sql`
    SELECT s.id, s.survey_version AS "surveyVersion", s.customer, s.status, s.language,
           s.started_at AS "startedAt", s.ended_at AS "endedAt", s.end_reason AS "endReason",
           ${variableOf('queueKey')} AS "queueKey", ${variableOf('agentId')} AS "agentId",
           COALESCE((SELECT jsonb_agg(jsonb_build_object('elementId', a.element_id, 'elementType', a.element_type, 'value', a.value,
                                                         'rawReply', a.raw_reply, 'answeredAt', a.answered_at) ORDER BY a.answered_at, a.id)
                       FROM survey_answer a WHERE a.session_id = s.id), '[]'::jsonb) AS answers
      FROM survey_session s
     WHERE ${scopeWhere(scope)} ${after}
     ORDER BY s.started_at DESC, s.id DESC
     LIMIT ${limit}`;
}

/** Every version's definition of the survey, oldest first. */
export function definitionsSql(surveyId: string): Prisma.Sql {
  return Prisma.sql`SELECT version, definition FROM survey_definition WHERE survey_id = ${surveyId} ORDER BY version`;
}

// ---- the reader ----

/** The CSAT element (a scale; satisfied: `csatTop` or more) and the NPS element, null where the survey has none. */
export interface ScoredElements {
  csat: string | null;
  csatTop: number;
  nps: string | null;
}

interface DefinedElement {
  id: string;
  type: string;
  min?: number;
  max?: number;
}

function elementsOf(definition: unknown): DefinedElement[] {
  const elements = (definition as { elements?: unknown } | null)?.elements;
  if (!Array.isArray(elements)) return [];
  return elements.filter((e): e is DefinedElement => typeof (e as DefinedElement)?.id === 'string' && typeof (e as DefinedElement).type === 'string');
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

interface QuestionRow {
  elementId: string;
  elementType: string;
  /** The stored value (JSON), null for free text. */
  value: unknown;
  count: number;
}

/** Per element: its answers, the mean of the numbers (scale, NPS), and each value's count (an option of a multiple choice each). */
function questionsOf(rows: QuestionRow[]): z.infer<typeof QuestionResult>[] {
  const elements = new Map<string, { elementId: string; elementType: string; answers: number; sum: number; numbers: number; values: Map<string, number> }>();
  for (const row of rows) {
    const key = `${row.elementId}\u0000${row.elementType}`;
    const element = elements.get(key) ?? { elementId: row.elementId, elementType: row.elementType, answers: 0, sum: 0, numbers: 0, values: new Map<string, number>() };
    elements.set(key, element);
    element.answers += row.count;
    if (typeof row.value === 'number' && (row.elementType === 'scale' || row.elementType === 'nps')) {
      element.sum += row.value * row.count;
      element.numbers += row.count;
    }
    if (row.elementType === 'free-text' || row.value === null) continue;
    for (const value of Array.isArray(row.value) ? row.value : [row.value]) {
      const text = JSON.stringify(value);
      element.values.set(text, (element.values.get(text) ?? 0) + row.count);
    }
  }
  const byValue = (a: { value: string }, b: { value: string }) => a.value.localeCompare(b.value, 'en', { numeric: true });
  return [...elements.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, e]) => ({
      elementId: e.elementId,
      elementType: e.elementType,
      answers: e.answers,
      mean: e.numbers === 0 ? null : round(e.sum / e.numbers, 2),
      values: [...e.values].map(([value, count]) => ({ value, count })).sort(byValue),
    }));
}

interface ScoreRow {
  kind: 'csat' | 'nps';
  grouping: number;
  day: string | null;
  queueKey: string | null;
  agentId: string | null;
  answers: number;
  high: number;
  middle: number;
  low: number;
}

const csatScore = (r: Pick<ScoreRow, 'answers' | 'high'>) => ({ answers: r.answers, satisfied: r.high, score: r.answers === 0 ? null : round((100 * r.high) / r.answers) });
const npsScore = (r: Pick<ScoreRow, 'answers' | 'high' | 'middle' | 'low'>) => ({
  answers: r.answers,
  promoters: r.high,
  passives: r.middle,
  detractors: r.low,
  score: r.answers === 0 ? null : round((100 * (r.high - r.low)) / r.answers),
});

function breakdownOf<S>(rows: ScoreRow[], elementId: string | null, score: (r: ScoreRow) => S) {
  const empty: ScoreRow = { kind: 'csat', grouping: 0, day: null, queueKey: null, agentId: null, answers: 0, high: 0, middle: 0, low: 0 };
  const label = (v: string | null) => v ?? '\uffff';
  // The most answers first; ties by name, the sessions without one last.
  const biggest = (a: ScoreRow, b: ScoreRow) => b.answers - a.answers || label(a.queueKey ?? a.agentId).localeCompare(label(b.queueKey ?? b.agentId));
  return {
    elementId,
    overall: score(rows.find((r) => r.grouping === 0) ?? empty),
    byDay: rows.filter((r) => r.grouping === 1).sort((a, b) => label(a.day).localeCompare(label(b.day))).map((r) => ({ day: r.day ?? '', ...score(r) })),
    byQueue: rows.filter((r) => r.grouping === 2).sort(biggest).slice(0, MAX_GROUPS).map((r) => ({ queueKey: r.queueKey, ...score(r) })),
    byAgent: rows.filter((r) => r.grouping === 3).sort(biggest).slice(0, MAX_GROUPS).map((r) => ({ agentId: r.agentId, ...score(r) })),
  };
}

interface ExportRow {
  id: string;
  surveyVersion: number;
  customer: string;
  status: string;
  language: string;
  startedAt: Date;
  endedAt: Date | null;
  endReason: string | null;
  queueKey: string | null;
  agentId: string | null;
  answers: { elementId: string; elementType: string; value: unknown; rawReply: string; answeredAt: string }[];
}

function exported(row: ExportRow): ExportedSession {
  return {
    sessionId: row.id,
    surveyVersion: row.surveyVersion,
    customer: maskPhoneNumber(row.customer),
    status: row.status,
    language: row.language,
    startedAt: row.startedAt.toISOString(),
    endedAt: row.endedAt?.toISOString() ?? null,
    endReason: row.endReason,
    queueKey: row.queueKey,
    agentId: row.agentId,
    answers: row.answers.map((a) => ({ ...a, answeredAt: new Date(a.answeredAt).toISOString() })),
  };
}

export { decodeCursor };

/** Read-only results of a survey, from the orchestrator's tables. */
export function createSurveyResultsReader(prisma: PrismaClient) {
  async function definitions(surveyId: string): Promise<{ version: number; definition: unknown }[]> {
    return prisma.$queryRaw<{ version: number; definition: unknown }[]>(definitionsSql(surveyId));
  }

  /** A results query in a transaction of its own, with the settings of its kind (settingsFor). */
  async function read<T>(kind: 'aggregate' | 'scores' | 'page', query: Prisma.Sql): Promise<T[]> {
    return prisma.$transaction(
      async (tx) => {
        for (const setting of settingsFor(kind)) await tx.$executeRawUnsafe(setting);
        return tx.$queryRaw<T[]>(query);
      },
      { maxWait: 10_000, timeout: AGGREGATE_TIMEOUT_MS + 5_000 },
    );
  }

  // The time zones PostgreSQL knows (its own tz database, which may differ from the JavaScript runtime's), read once.
  let timeZones: Promise<Set<string>> | undefined;

  return {
    /** Every version of the survey, oldest first (empty: no such survey). */
    definitions,

    /** Whether PostgreSQL knows the time zone (the query string's `tz` passed the runtime's own check). */
    async knowsTimeZone(name: string): Promise<boolean> {
      timeZones ??= prisma.$queryRaw<{ name: string }[]>`SELECT name FROM pg_timezone_names`.then((rows) => new Set(rows.map((r) => r.name.toLowerCase())));
      try {
        return (await timeZones).has(name.toLowerCase());
      } catch (error) {
        timeZones = undefined; // read again next time
        throw error;
      }
    },

    /**
     * The CSAT and NPS elements of a version (the latest without one): those named, else the first scale from 1
     * to 5 (else the first scale) and the first NPS element. A problem (for a 400) when a named one is not there.
     */
    scoredElements(
      versions: { version: number; definition: unknown }[],
      query: { version?: number | undefined; csatElement?: string | undefined; npsElement?: string | undefined },
    ): ScoredElements | { problem: string } {
      const chosen = (query.version === undefined ? undefined : versions.find((v) => v.version === query.version)) ?? versions[versions.length - 1];
      const elements = elementsOf(chosen?.definition);
      const label = `version ${chosen?.version ?? '?'}`;
      const scales = elements.filter((e) => e.type === 'scale');
      const csat = query.csatElement === undefined ? (scales.find((e) => e.min === 1 && e.max === 5) ?? scales[0]) : scales.find((e) => e.id === query.csatElement);
      if (query.csatElement !== undefined && !csat) return { problem: `csatElement: ${label} has no scale element "${query.csatElement}"` };
      const nps = query.npsElement === undefined ? elements.find((e) => e.type === 'nps') : elements.find((e) => e.type === 'nps' && e.id === query.npsElement);
      if (query.npsElement !== undefined && !nps) return { problem: `npsElement: ${label} has no NPS element "${query.npsElement}"` };
      return { csat: csat?.id ?? null, csatTop: typeof csat?.max === 'number' ? csat.max - 1 : 4, nps: nps?.id ?? null };
    },

    async results(query: ResultsQuery & { surveyId: string }, elements: ScoredElements): Promise<ResultsResponse> {
      const scope: ResultsScope = { surveyId: query.surveyId, version: query.version, from: query.from, to: query.to };
      const [[totals], questions, scores] = await Promise.all([
        read<z.infer<typeof ResultTotals>>('aggregate', totalsSql(scope)),
        read<QuestionRow>('aggregate', questionsSql(scope)),
        read<ScoreRow>('scores', scoresSql(scope, elements, query.tz)),
      ]);
      const sums = totals ?? { sent: 0, answered: 0, completed: 0, expired: 0, optedOut: 0, failed: 0, active: 0, abandoned: 0, superseded: 0 };
      return {
        surveyId: query.surveyId,
        version: query.version ?? null,
        from: query.from?.toISOString() ?? null,
        to: query.to?.toISOString() ?? null,
        timeZone: query.tz,
        totals: sums,
        rates: {
          response: sums.sent === 0 ? null : round(sums.answered / sums.sent, 4),
          completion: sums.sent === 0 ? null : round(sums.completed / sums.sent, 4),
        },
        questions: questionsOf(questions),
        csat: breakdownOf(
          scores.filter((r) => r.kind === 'csat'),
          elements.csat,
          csatScore,
        ),
        nps: breakdownOf(
          scores.filter((r) => r.kind === 'nps'),
          elements.nps,
          npsScore,
        ),
      };
    },

    /** One page of the export: `limit` sessions older than `before`, and the cursor of the next. */
    async exportPage(scope: ResultsScope, limit: number, before?: Cursor): Promise<ExportPage> {
      const rows = await read<ExportRow>('page', exportSql(scope, limit + 1, before));
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        sessions: page.map(exported),
        nextCursor: rows.length > limit && last ? encodeCursor({ startedAt: last.startedAt, id: last.id }) : null,
      };
    },
  };
}

export type SurveyResultsReader = ReturnType<typeof createSurveyResultsReader>;

// ---- CSV ----

/** Quoted when needed; free text (`defuse`) starting with =, +, -, @ is prefixed with ' so a spreadsheet does not run it as a formula. */
const csvCell = (value: unknown, defuse = true): string => {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  const safe = defuse && /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

const SESSION_COLUMNS = ['sessionId', 'surveyVersion', 'customer', 'status', 'language', 'startedAt', 'endedAt', 'endReason', 'queueKey', 'agentId'] as const;

/** The questions of every version (text elements left out), in the order they first appear: the CSV's answer columns. */
export function csvQuestionColumns(versions: { definition: unknown }[]): string[] {
  const ids = new Set<string>();
  for (const v of versions) for (const e of elementsOf(v.definition)) if (e.type !== 'text') ids.add(e.id);
  return [...ids];
}

/** The CSV header: the session's columns, then for each question its value and the customer's reply (`<id>.reply`). */
export function csvHeader(questions: readonly string[]): string {
  return [...SESSION_COLUMNS, ...questions.flatMap((id) => [id, `${id}.reply`])].map((c) => csvCell(c)).join(',') + '\r\n';
}

/** One CSV line per session: an answer's stored value (JSON for arrays) and raw reply under its question. */
export function csvLine(session: ExportedSession, questions: readonly string[]): string {
  const byElement = new Map(session.answers.map((a) => [a.elementId, a]));
  // The session's own columns are ours (ids, masked numbers, times), but for the queue and agent names.
  const cells = SESSION_COLUMNS.map((c) => csvCell(session[c], c === 'queueKey' || c === 'agentId'));
  for (const id of questions) {
    const answer = byElement.get(id);
    cells.push(csvCell(answer?.value), csvCell(answer?.rawReply));
  }
  return cells.join(',') + '\r\n';
}
