import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@sms-survey/testing';
import { createPrismaClient, createSqlPool, databaseErrorVerdict, type PrismaClient } from '../src/index.js';
import type pg from 'pg';

// The verdicts on errors PostgreSQL really raises, through plain pg and through Prisma's driver adapter.

let database: TestDatabase;
let pool: pg.Pool;
let prisma: PrismaClient;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createSqlPool({ databaseUrl: database.url, poolSize: 2 });
  prisma = createPrismaClient({ databaseUrl: database.url });
  await pool.query('CREATE TABLE t (id int PRIMARY KEY, body text)');
});

afterAll(async () => {
  await prisma?.$disconnect();
  await pool?.end();
  await database?.drop();
});

const failure = async (work: () => Promise<unknown>) => {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
};

describe('databaseErrorVerdict', () => {
  it('data PostgreSQL refuses is permanent: a NUL in text (22021), a duplicate key (23505), through pg and Prisma', async () => {
    const nul = await failure(() => pool.query('INSERT INTO t VALUES (1, $1)', ['a\u0000b']));
    expect((nul as { code?: string }).code).toBe('22021');
    expect(databaseErrorVerdict(nul)).toBe(false);
    await pool.query('INSERT INTO t VALUES (2, $1)', ['fine']);
    expect(databaseErrorVerdict(await failure(() => pool.query('INSERT INTO t VALUES (2, $1)', ['again'])))).toBe(false);
    expect(databaseErrorVerdict(await failure(() => prisma.$executeRawUnsafe('INSERT INTO t VALUES ($1, $2)', 3, 'a\u0000b')))).toBe(false);
    expect(databaseErrorVerdict(await failure(() => prisma.$executeRawUnsafe('INSERT INTO t VALUES ($1, $2)', 2, 'dup')))).toBe(false);
  });

  it('a deadlock, a serialization failure and an unreachable server are transient; a bug is neither', async () => {
    expect(databaseErrorVerdict(await failure(() => pool.query("DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '40P01'; END $$")))).toBe(true);
    expect(databaseErrorVerdict(await failure(() => pool.query("DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '40001'; END $$")))).toBe(true);
    const nowhere = createSqlPool({ databaseUrl: 'postgresql://postgres@127.0.0.1:1/none', poolSize: 1 });
    expect(databaseErrorVerdict(await failure(() => nowhere.query('SELECT 1')))).toBe(true);
    await nowhere.end();
    expect(databaseErrorVerdict(await failure(() => pool.query('SELECT * FROM no_such_table')))).toBeUndefined();
    expect(databaseErrorVerdict(new Error('something else'))).toBeUndefined();
  });
});
