import pg from 'pg';

/** Serialises creators of databases on one server (an arbitrary key; Prisma's migrate lock is 72707369). */
const CREATE_LOCK_KEY = 7_366_915_001;

/**
 * Creates the database named in the URL when it does not exist yet. Safe to run from several processes at
 * once. A database that exists is only connected to, so a role that may not connect to `postgres` (or create
 * databases) works as long as its database has been created for it.
 */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`unexpected database name in DATABASE_URL: ${name}`);
  if (await databaseExists(databaseUrl)) return false;
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    // Two concurrent CREATE DATABASE of one name: the loser fails with a unique violation (23505), not always
    // 42P04, so creators take turns; the lock goes with the session.
    await client.query('SELECT pg_advisory_lock($1)', [CREATE_LOCK_KEY]);
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } catch (e) {
      // Created by another process that did not take the lock (an older version of this code).
      if (['42P04', '23505'].includes((e as { code?: string }).code ?? '')) return false;
      throw e;
    }
    return true;
  } finally {
    await client.end();
  }
}

/** True when the database answers; false when the server says it does not exist (3D000); otherwise throws. */
async function databaseExists(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    return true;
  } catch (e) {
    if ((e as { code?: string }).code === '3D000') return false;
    throw e;
  } finally {
    await client.end().catch(() => undefined);
  }
}
