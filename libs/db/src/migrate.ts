import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import pg from 'pg';
import { prismaCliEnv } from './db-config.js';
import { ensureDatabase } from './ensure-database.js';

/** Held while `prisma migrate deploy` runs (an arbitrary key, not Prisma's own 72707369). */
const MIGRATE_LOCK_KEY = 7_366_915_002;

export interface MigrateDatabaseOptions {
  databaseUrl: string;
  /** The Prisma config (libs/db/prisma.config.ts, or its bundle next to the migrate app); paths in it are relative to it. */
  configFile: string;
  /** Where the Prisma CLI's output goes (default: this process's stdout and stderr). */
  stdio?: 'inherit' | 'ignore';
  /** Told when the database had to be created (default: a line on stdout). */
  log?: (line: string) => void;
}

/** The database URL without its password, for logs. */
export const safeDatabaseUrl = (databaseUrl: string) => databaseUrl.replace(/\/\/[^@/]*@/, '//***@');

/**
 * Creates the database if missing, then applies the migrations with `prisma migrate deploy`. Idempotent, and
 * safe to run from several processes at once: they take turns on an advisory lock held on a connection of
 * their own for the whole run (Prisma's own migrate lock lives on a pooled connection of its driver adapter).
 * Returns whether the database was created.
 */
export async function migrateDatabase(options: MigrateDatabaseOptions): Promise<{ created: boolean }> {
  const { databaseUrl, configFile } = options;
  const created = await ensureDatabase(databaseUrl);
  if (created) (options.log ?? console.log)(`created database ${safeDatabaseUrl(databaseUrl)}`);
  const lock = new pg.Client({ connectionString: databaseUrl });
  // A lost lock connection surfaces as the end of the run below, not as an unhandled 'error' event.
  lock.on('error', () => undefined);
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK_KEY]);
    const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');
    const child = spawn(process.execPath, [prismaCli, 'migrate', 'deploy', '--config', configFile], {
      cwd: dirname(configFile),
      stdio: options.stdio ?? 'inherit',
      env: prismaCliEnv(databaseUrl),
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (status, signal) => resolve(signal ? null : status));
    });
    if (code !== 0) throw new Error(`prisma migrate deploy failed (exit ${code ?? 'by signal'})`);
  } finally {
    await lock.end().catch(() => undefined);
  }
  return { created };
}
