import { z } from 'zod';

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/sms_survey';

/** DATABASE_URL for the Prisma CLI and the migrate command; services parse it with their own config. */
export function databaseUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return z.url({ protocol: /^postgres(ql)?$/ }).default(DEFAULT_DATABASE_URL).parse(env.DATABASE_URL || undefined);
}

/** The environment for the Prisma CLI child process: ours, with the database URL and without telemetry. */
export function prismaCliEnv(databaseUrl: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' };
}
