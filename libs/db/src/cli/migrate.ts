// Creates the database if missing, then applies the migrations in libs/db/prisma/migrations with
// `prisma migrate deploy`. Run by `npm start` and the test script; images use the migrate app (apps/migrate).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseUrlFromEnv } from '../db-config.js';
import { migrateDatabase } from '../migrate.js';

const libRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const databaseUrl = databaseUrlFromEnv();

try {
  await migrateDatabase({ databaseUrl, configFile: join(libRoot, 'prisma.config.ts') });
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
