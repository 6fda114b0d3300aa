import { createSurveyDefinitionRepository, type PrismaClient } from '@sms-survey/db';
import { PermanentError } from '@sms-survey/kafka';
import { validateSurveyDefinition, type SurveyDefinition } from '@sms-survey/survey-domain';

/** Survey versions never change once written, so each is read and validated once per process. */
export function createSurveyCatalog(prisma: PrismaClient) {
  const repository = createSurveyDefinitionRepository(prisma);
  const cache = new Map<string, SurveyDefinition>();
  return {
    async get(surveyId: string, version: number): Promise<SurveyDefinition> {
      const key = `${surveyId}@${version}`;
      const cached = cache.get(key);
      if (cached) return cached;
      const stored = await repository.version(surveyId, version);
      if (!stored) throw new PermanentError(`survey ${surveyId} version ${version} does not exist`);
      const result = validateSurveyDefinition(stored.definition);
      if (!result.ok) throw new PermanentError(`survey ${key} is invalid: ${result.problems.join('; ')}`);
      cache.set(key, result.survey);
      return result.survey;
    },
  };
}

export type SurveyCatalog = ReturnType<typeof createSurveyCatalog>;
