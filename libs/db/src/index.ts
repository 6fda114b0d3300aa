export * from './prisma-client.js';
export * from './ensure-database.js';
export { DEFAULT_DATABASE_URL } from './db-config.js';
export * from './survey-definition.repository.js';
export * from './survey-catalog.js';
export * from './transient-errors.js';
export * from './sql-transaction.js';
export * from './retention.js';
export { migrateDatabase, safeDatabaseUrl, type MigrateDatabaseOptions } from './migrate.js';
