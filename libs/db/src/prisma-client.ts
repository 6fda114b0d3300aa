import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.js';

export type { PrismaClient } from './generated/prisma/client.js';
export { Prisma } from './generated/prisma/client.js';

export interface PrismaOptions {
  databaseUrl: string;
  poolSize?: number;
}

/** Prisma through the pg driver adapter (no native query engine). */
export function createPrismaClient(options: PrismaOptions): PrismaClient {
  const adapter = new PrismaPg({ connectionString: options.databaseUrl, max: options.poolSize ?? 10, connectionTimeoutMillis: 3000 });
  return new PrismaClient({ adapter });
}

/** Readiness: does the database answer right now? */
export async function databaseAnswers(prisma: PrismaClient): Promise<boolean> {
  try {
    await prisma.$queryRaw`SELECT 1`;
    return true;
  } catch {
    return false;
  }
}
