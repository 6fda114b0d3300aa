import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@sms-survey/testing';
import type pg from 'pg';
import {
  createPrismaClient,
  createSqlPool,
  createSurveyCatalog,
  createSurveyDefinitionRepository,
  poolSql,
  prismaSql,
  SurveyUnavailableError,
  type PrismaClient,
  type Sql,
} from '../src/index.js';

const texts = {
  completion: { en: 'Thanks!' },
  unavailable: { en: 'Unavailable' },
  notFound: { en: 'Not found' },
  invalidReply: { en: 'Invalid' },
  tooManyInvalid: { en: 'Too many' },
};
const survey = (id: string) => ({
  id,
  name: 'Catalog test',
  defaultLanguage: 'en',
  languages: ['en'],
  elements: [{ id: 'score', type: 'nps', text: { en: 'Recommend us?' } }],
  texts,
});

let database: TestDatabase;
let pool: pg.Pool;
let prisma: PrismaClient;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createSqlPool({ databaseUrl: database.url, poolSize: 2 });
  prisma = createPrismaClient({ databaseUrl: database.url, poolSize: 2 });
});

afterAll(async () => {
  await prisma?.$disconnect();
  await pool?.end();
  await database?.drop();
});

describe.each([
  ['a Prisma client (prismaSql)', () => prismaSql(prisma)],
  ['a pg pool (poolSql)', () => poolSql(pool)],
] as [string, () => Sql][])('createSurveyCatalog through %s', (_through, sqlOf) => {
  it('finds and validates a stored version, and caches it', async () => {
    const id = `catalog-${Math.random().toString(36).slice(2, 8)}`;
    const { version } = await createSurveyDefinitionRepository(prisma).save(id, survey(id));
    let statements = 0;
    const sql = sqlOf();
    const catalog = createSurveyCatalog((query) => (statements++, sql(query)));
    const found = await catalog.find(id, version);
    expect(found).toMatchObject({ ok: true, survey: { id, elements: [{ id: 'score' }] } });
    expect(await catalog.get(id, version)).toEqual(found.ok && found.survey);
    expect(statements).toBe(1);
  });

  it('says why a version is missing or invalid, get throws it as not retryable, and neither is cached', async () => {
    const id = `catalog-${Math.random().toString(36).slice(2, 8)}`;
    const catalog = createSurveyCatalog(sqlOf());
    expect(await catalog.find(id, 1)).toEqual({ ok: false, reason: `survey ${id} version 1 does not exist` });
    const error = await catalog.get(id, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SurveyUnavailableError);
    expect(error).toMatchObject({ retryable: false, message: `survey ${id} version 1 does not exist` });

    // Written later: seen, since the miss was not cached.
    await createSurveyDefinitionRepository(prisma).save(id, { ...survey(id), elements: [] });
    const invalid = await catalog.find(id, 1);
    expect(invalid.ok).toBe(false);
    expect(!invalid.ok && invalid.reason).toMatch(new RegExp(`^survey ${id}@1 is invalid: `));
    await expect(catalog.get(id, 1)).rejects.toMatchObject({ retryable: false, message: !invalid.ok && invalid.reason });

    // Repaired in place (versions are append-only; this stands for an operator's fix): seen too.
    await pool.query('UPDATE survey_definition SET definition = $1 WHERE survey_id = $2 AND version = 1', [JSON.stringify(survey(id)), id]);
    expect(await catalog.find(id, 1)).toMatchObject({ ok: true, survey: { id } });
  });
});
