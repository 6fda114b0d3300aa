import { createSurveyDefinitionRepository, type PrismaClient } from '@sms-survey/db';
import { validateSurveyDefinition, type SurveyDefinition } from '@sms-survey/survey-domain';

export type SurveyLookup = { ok: true; survey: SurveyDefinition } | { ok: false; reason: string };

/** Survey versions never change once written, so each is read and validated once per process (cached by id@version). */
export function createSurveyCatalog(prisma: PrismaClient) {
  const repository = createSurveyDefinitionRepository(prisma);
  const cache = new Map<string, SurveyDefinition>();
  return {
    /** The definition, or why there is none (missing or invalid: not cached, so a fix is seen). */
    async find(surveyId: string, version: number): Promise<SurveyLookup> {
      const key = `${surveyId}@${version}`;
      const cached = cache.get(key);
      if (cached) return { ok: true, survey: cached };
      const stored = await repository.version(surveyId, version);
      if (!stored) return { ok: false, reason: `survey ${surveyId} version ${version} does not exist` };
      const result = validateSurveyDefinition(stored.definition);
      if (!result.ok) return { ok: false, reason: `survey ${key} is invalid: ${result.problems.join('; ')}` };
      cache.set(key, result.survey);
      return { ok: true, survey: result.survey };
    },
  };
}

export type SurveyCatalog = ReturnType<typeof createSurveyCatalog>;
