import type { PrismaClient } from '@sms-survey/db';

/** One session as the results API shows it: the customer's number masked, no message bodies but the replies. */
export interface SessionSummary {
  sessionId: string;
  surveyVersion: number;
  /** Masked: only the last 3 digits are shown (`+•••••••567`). */
  customer: string;
  status: string;
  language: string;
  currentElementId: string | null;
  startedAt: string;
  endedAt: string | null;
  endReason: string | null;
  /** The reporting keys of the SendSurvey userSessionVariables (queue, agent, group, country, channel); contact details are left out. */
  variables: Record<string, string>;
  answers: { elementId: string; elementType: string; value: unknown; rawReply: string; answeredAt: string }[];
}

export interface SessionPage {
  sessions: SessionSummary[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextCursor: string | null;
  /** Sessions of the survey (in `version` when given) by status. */
  counts: Record<string, number>;
  total: number;
}

export interface SessionQuery {
  surveyId: string;
  limit: number;
  before?: Cursor | undefined;
  version?: number | undefined;
  status?: string | undefined;
}

export interface Cursor {
  startedAt: Date;
  id: string;
}

/** userSessionVariables keys a results page may show: none of them identifies the customer. */
const REPORTING_KEYS = new Set(['queueKey', 'agentId', 'userGroupId', 'systemCountry', 'consumerChannel']);

/** Every character but the last 3 digits (and a leading `+`) replaced by `•`. */
export function maskPhoneNumber(value: string): string {
  const keep = 3;
  const prefix = value.startsWith('+') ? '+' : '';
  const rest = value.slice(prefix.length);
  if (rest.length <= keep) return prefix + '•'.repeat(rest.length);
  return prefix + '•'.repeat(rest.length - keep) + rest.slice(-keep);
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.startedAt.toISOString()}|${cursor.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(value: string): Cursor | undefined {
  const [at, id] = Buffer.from(value, 'base64url').toString('utf8').split('|');
  const startedAt = new Date(at ?? '');
  if (Number.isNaN(startedAt.getTime()) || !id || !/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  return { startedAt, id };
}

function variablesOf(value: unknown): Record<string, string> {
  const variables: Record<string, string> = {};
  if (!Array.isArray(value)) return variables;
  for (const entry of value as { key?: unknown; value?: unknown }[]) {
    if (typeof entry?.key === 'string' && typeof entry.value === 'string' && REPORTING_KEYS.has(entry.key)) variables[entry.key] = entry.value;
  }
  return variables;
}

/** Read-only access to the orchestrator's survey_session and survey_answer tables, newest session first. */
export function createSurveySessionReader(prisma: PrismaClient) {
  return {
    async page(query: SessionQuery): Promise<SessionPage> {
      const scope = {
        surveyId: query.surveyId,
        ...(query.version !== undefined && { surveyVersion: query.version }),
      };
      const { before } = query;
      const [rows, grouped] = await Promise.all([
        prisma.surveySession.findMany({
          where: {
            ...scope,
            ...(query.status !== undefined && { status: query.status }),
            ...(before && { OR: [{ startedAt: { lt: before.startedAt } }, { startedAt: before.startedAt, id: { lt: before.id } }] }),
          },
          orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
          take: query.limit + 1,
          include: { answers: { orderBy: [{ answeredAt: 'asc' }, { id: 'asc' }] } },
        }),
        prisma.surveySession.groupBy({ by: ['status'], where: scope, _count: { _all: true } }),
      ]);
      const pageRows = rows.slice(0, query.limit);
      const last = pageRows[pageRows.length - 1];
      const counts: Record<string, number> = {};
      for (const group of grouped) counts[group.status] = group._count._all;
      return {
        sessions: pageRows.map((row) => ({
          sessionId: row.id,
          surveyVersion: row.surveyVersion,
          customer: maskPhoneNumber(row.customer),
          status: row.status,
          language: row.language,
          currentElementId: row.currentElementId,
          startedAt: row.startedAt.toISOString(),
          endedAt: row.endedAt?.toISOString() ?? null,
          endReason: row.endReason,
          variables: variablesOf(row.userSessionVariables),
          answers: row.answers.map((answer) => ({
            elementId: answer.elementId,
            elementType: answer.elementType,
            value: answer.value,
            rawReply: answer.rawReply,
            answeredAt: answer.answeredAt.toISOString(),
          })),
        })),
        nextCursor: rows.length > query.limit && last ? encodeCursor({ startedAt: last.startedAt, id: last.id }) : null,
        counts,
        total: Object.values(counts).reduce((sum, n) => sum + n, 0),
      };
    },
  };
}

export type SurveySessionReader = ReturnType<typeof createSurveySessionReader>;
