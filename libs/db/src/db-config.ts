import { z } from 'zod';

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/sms_survey';

/** DATABASE_URL for the Prisma CLI and the migrate command; services parse it with their own config. */
export function databaseUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return z.url({ protocol: /^postgres(ql)?$/ }).default(DEFAULT_DATABASE_URL).parse(env.DATABASE_URL || undefined);
}
