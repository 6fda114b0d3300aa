import { validateSurveyDefinition, type SurveyDefinition } from '@sms-survey/survey-domain';
import { Prisma } from './generated/prisma/client.js';
import type { Sql } from './sql-transaction.js';

/** A survey version ready to use, or why there is none (it does not exist, or its stored definition is invalid). */
export type SurveyLookup = { ok: true; survey: SurveyDefinition } | { ok: false; reason: string };

/**
 * Thrown by `SurveyCatalog.get` when a survey version cannot be used. It is the message's fault, not the
 * infrastructure's: `retryable` is false, so Kafka consumers dead-letter the message at once (as `PermanentError`).
 */
export class SurveyUnavailableError extends Error {
  readonly retryable = false as const;
  override readonly name = 'SurveyUnavailableError';
}

/**
 * Validated survey definitions by id and version. Survey versions never change once written, so each is read and
 * validated once per process (cached by id@version); a missing or invalid version is not cached, so a version
 * written or repaired later is seen. Takes `Sql`: `prismaSql(prisma)` for a Prisma client, `poolSql(pool)` for pg.
 */
export function createSurveyCatalog(sql: Sql) {
  const cache = new Map<string, SurveyDefinition>();

  async function find(surveyId: string, version: number): Promise<SurveyLookup> {
    const key = `${surveyId}@${version}`;
    const cached = cache.get(key);
    if (cached) return { ok: true, survey: cached };
    const [stored] = await sql<{ definition: unknown }>(
      Prisma.sql`SELECT definition FROM survey_definition WHERE survey_id = ${surveyId} AND version = ${version}`,
    );
    if (!stored) return { ok: false, reason: `survey ${surveyId} version ${version} does not exist` };
    const result = validateSurveyDefinition(stored.definition);
    if (!result.ok) return { ok: false, reason: `survey ${key} is invalid: ${result.problems.join('; ')}` };
    cache.set(key, result.survey);
    return { ok: true, survey: result.survey };
  }

  return {
    find,
    /** The definition, or a `SurveyUnavailableError` (not retryable) carrying `find`'s reason. */
    async get(surveyId: string, version: number): Promise<SurveyDefinition> {
      const lookup = await find(surveyId, version);
      if (!lookup.ok) throw new SurveyUnavailableError(lookup.reason);
      return lookup.survey;
    },
  };
}

export type SurveyCatalog = ReturnType<typeof createSurveyCatalog>;
