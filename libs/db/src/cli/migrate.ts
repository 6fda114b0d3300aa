// Creates the database if missing, then applies the migrations in libs/db/prisma/migrations with
// `prisma migrate deploy`. Run by `npm start`, the test script, and as a Kubernetes job before a rollout.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseUrlFromEnv, prismaCliEnv } from '../db-config.js';
import { ensureDatabase } from '../ensure-database.js';

const libRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const databaseUrl = databaseUrlFromEnv();
const safeUrl = databaseUrl.replace(/\/\/[^@/]*@/, '//***@');

if (await ensureDatabase(databaseUrl)) console.log(`created database ${safeUrl}`);
const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');
const result = spawnSync(process.execPath, [prismaCli, 'migrate', 'deploy', '--config', join(libRoot, 'prisma.config.ts')], {
  cwd: libRoot,
  stdio: 'inherit',
  env: prismaCliEnv(databaseUrl),
});
process.exit(result.status ?? 1);
