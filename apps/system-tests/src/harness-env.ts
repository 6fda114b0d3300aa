import { z } from 'zod';

/**
 * What the system tests read from their environment, parsed once: the child processes' PATH and HOME, the
 * multi-replica test's size and log level, and the container smoke test's project and Compose version (set by
 * scripts/test-containers.sh).
 */
const HarnessEnv = z.object({
  PATH: z.string().default(''),
  HOME: z.string().default(''),
  MULTI_REPLICA_SESSIONS: z.coerce.number().int().min(1).max(10_000).default(60),
  MULTI_REPLICA_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('warn'),
  SMOKE_PROJECT: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'a Compose project name').optional(),
  /** Compose v1 (`docker-compose`) where the v2 plugin is missing. */
  SMOKE_COMPOSE: z.enum(['v1', 'v2']).default('v2'),
});

export const harnessEnv = HarnessEnv.parse(process.env);

/** The environment a spawned service starts from: only what it needs to find its tools. */
export const childProcessBaseEnv = { PATH: harnessEnv.PATH, HOME: harnessEnv.HOME };
