// Prisma CLI configuration. Uses the WebAssembly schema engine through the pg driver adapter, so the CLI
// needs no native engine download (see docs/architecture.md, Tables).
import { defineConfig } from 'prisma/config';
import { createMigrationAdapter } from './src/migration-adapter.js';
import { databaseUrlFromEnv } from './src/db-config.js';

// schema.prisma reads env("DATABASE_URL"); give it the same default the services use.
const databaseUrl = databaseUrlFromEnv();
process.env.DATABASE_URL = databaseUrl;

export default defineConfig({
  engine: 'js',
  experimental: { adapter: true },
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  adapter: async () => createMigrationAdapter(databaseUrl),
});
