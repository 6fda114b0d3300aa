import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { empty } from '../openapi.js';

/**
 * The console's Vite build next to this app: `apps/console/dist`, seen from `apps/ingest-gateway/src` and from
 * the bundled `apps/ingest-gateway/dist` alike.
 */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../console/dist/', import.meta.url));

/**
 * The survey console (apps/console) as static files under `/console/`. It signs in with an API key and calls
 * the /v1 API like any client; serving it from here only saves it a second origin. When `dir` holds no build
 * (no index.html), `/console` says how to build it.
 */
export async function registerConsole(app: FastifyInstance, dir: string): Promise<void> {
  // In the OpenAPI document as this one route; the files under /console/ are not API (@fastify/static hides its routes).
  const consoleSchema = { tags: ['console'], summary: 'The survey console (docs/console.md): redirects to /console/', response: { 302: empty('to /console/') } };
  app.get('/console', { schema: consoleSchema }, async (_request, reply) => reply.redirect('/console/'));
  if (!existsSync(join(dir, 'index.html'))) {
    const notBuilt = async (_request: unknown, reply: { code(n: number): { type(t: string): { send(b: string): unknown } } }) =>
      reply.code(404).type('text/plain; charset=utf-8').send(`The console is not built in ${dir}: run \`npx nx run @sms-survey/console:build\` (or set CONSOLE_DIR).\n`);
    app.get('/console/', { schema: { hide: true } }, notBuilt);
    app.get('/console/*', { schema: { hide: true } }, notBuilt);
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/console/',
    index: ['index.html'],
    cacheControl: false,
    // Hashed asset names change with their content; index.html is asked for again each time.
    setHeaders: (res, path) => {
      res.setHeader('cache-control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
}
