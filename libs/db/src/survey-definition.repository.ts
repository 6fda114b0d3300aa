import { createHash } from 'node:crypto';
import { Prisma, type PrismaClient } from './generated/prisma/client.js';

export interface StoredSurvey {
  surveyId: string;
  version: number;
  definition: unknown;
  createdAt: Date;
}

/** Stable JSON (sorted keys) so the same definition always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const toStored = (row: { surveyId: string; version: number; definition: unknown; createdAt: Date }): StoredSurvey => ({
  surveyId: row.surveyId,
  version: row.version,
  definition: row.definition,
  createdAt: row.createdAt,
});

/**
 * Survey definitions are append-only versions. Saving a definition identical to the latest version is a no-op
 * (so loading the same files at every start, or a retried PUT, creates nothing); anything else is version + 1.
 */
export function createSurveyDefinitionRepository(prisma: PrismaClient) {
  return {
    async save(surveyId: string, definition: unknown): Promise<{ version: number; created: boolean }> {
      const contentHash = createHash('sha256').update(canonicalJson(definition)).digest('hex');
      for (let attempt = 0; ; attempt++) {
        const latest = await prisma.surveyDefinition.findFirst({ where: { surveyId }, orderBy: { version: 'desc' } });
        if (latest?.contentHash === contentHash) return { version: latest.version, created: false };
        try {
          const row = await prisma.surveyDefinition.create({
            data: { surveyId, version: (latest?.version ?? 0) + 1, definition: definition as Prisma.InputJsonValue, contentHash },
          });
          return { version: row.version, created: true };
        } catch (e) {
          // Another writer took this version number first: look again.
          if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002' && attempt < 5) continue;
          throw e;
        }
      }
    },
    async latest(surveyId: string): Promise<StoredSurvey | null> {
      const row = await prisma.surveyDefinition.findFirst({ where: { surveyId }, orderBy: { version: 'desc' } });
      return row && toStored(row);
    },
    async version(surveyId: string, version: number): Promise<StoredSurvey | null> {
      const row = await prisma.surveyDefinition.findUnique({ where: { surveyId_version: { surveyId, version } } });
      return row && toStored(row);
    },
    /** The latest version of every survey. */
    async listLatest(): Promise<StoredSurvey[]> {
      const rows = await prisma.$queryRaw<{ survey_id: string; version: number; definition: unknown; created_at: Date }[]>`
        SELECT DISTINCT ON (survey_id) survey_id, version, definition, created_at
        FROM survey_definition ORDER BY survey_id, version DESC`;
      return rows.map((r) => ({ surveyId: r.survey_id, version: r.version, definition: r.definition, createdAt: r.created_at }));
    },
  };
}

export type SurveyDefinitionRepository = ReturnType<typeof createSurveyDefinitionRepository>;
