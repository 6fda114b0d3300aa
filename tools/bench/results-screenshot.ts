// docs/images/console-results.png: the results page with 3,000 generated sessions (the browser test's own
// screenshot has one). By hand: `tsx tools/bench/results-screenshot.ts docs/images/console-results.png`.
// A test database of its own (cloned from the migrated template, dropped at the end), a gateway on a free port
// serving a fresh build of the console, and Debian's Chromium.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { createPrismaClient, createSurveyDefinitionRepository } from '@sms-survey/db';
import { createMetricsRegistry } from '@sms-survey/service-kit';
import { createTestDatabase, silentLogger } from '@sms-survey/testing';
import { buildGateway } from '../../apps/ingest-gateway/src/index.js';
import { createSurveyResultsReader } from '../../apps/ingest-gateway/src/api/survey-results.js';
import { createSurveySessionReader } from '../../apps/ingest-gateway/src/api/survey-sessions.js';

const consoleDir = new URL('../../apps/console/', import.meta.url).pathname;
const db = await createTestDatabase();
const prisma = createPrismaClient({ databaseUrl: db.url, poolSize: 3 });
const outDir = await mkdtemp(join(tmpdir(), 'console-shot-'));
try {
  await build({ configFile: join(consoleDir, 'vite.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir, emptyOutDir: true, sourcemap: false } });
  const surveys = createSurveyDefinitionRepository(prisma);
  const opt = (t: string) => ({ text: { en: t } });
  await surveys.save('support-csat', {
    id: 'support-csat', name: 'Support CSAT and NPS', defaultLanguage: 'en', languages: ['en'],
    elements: [
      { id: 'satisfaction', type: 'scale', min: 1, max: 5, text: { en: 'How satisfied were you with the help you got?' } },
      { id: 'recommend', type: 'nps', text: { en: 'How likely are you to recommend us?' } },
      { id: 'use-again', type: 'yes-no', text: { en: 'Would you use us again?' } },
      { id: 'improve', type: 'multiple-choice', text: { en: 'What should we improve?' }, options: ['Waiting time', 'Friendliness', 'Knowledge', 'Other'].map(opt) },
      { id: 'comment', type: 'free-text', text: { en: 'Anything else?' } },
    ],
    texts: { completion: { en: 'Thank you!' } },
  });
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(`
    INSERT INTO survey_session (id, survey_id, survey_version, customer, sender_number, status, language, user_session_variables, expires_at, started_at, ended_at)
    SELECT gen_random_uuid(), 'support-csat', 1, '+4791' || lpad(i::text, 6, '0'), '+4759440000',
           CASE WHEN r < 0.6 THEN 'completed' WHEN r < 0.8 THEN 'expired' WHEN r < 0.86 THEN 'active' WHEN r < 0.9 THEN 'opted-out' WHEN r < 0.92 THEN 'failed' ELSE 'abandoned' END,
           'en', jsonb_build_array(jsonb_build_object('key', 'queueKey', 'value', (ARRAY['support', 'billing', 'sales'])[1 + i % 3]),
                                   jsonb_build_object('key', 'agentId', 'value', 'WK' || (10 + (i * 7) % 6))),
           now() + interval '1 day', t, t + interval '5 minutes'
      FROM (SELECT i, random() r, now() - interval '30 days' + (i::float8 / 3000) * interval '30 days' t FROM generate_series(1, 3000) i) g`);
  await client.query(`
    INSERT INTO survey_answer (session_id, element_id, element_type, raw_reply, value, answered_at)
    SELECT id, e.element_id, e.element_type, '', e.value, started_at + interval '1 minute'
      FROM (SELECT id, started_at, status, user_session_variables->1->>'value' AS agent,
                   (extract(day FROM started_at)::int % 7) AS wave FROM survey_session) s
      CROSS JOIN LATERAL (VALUES
        ('satisfaction', 'scale', to_jsonb(least(5, greatest(1, 3 + floor(random() * 3)::int - (CASE WHEN s.agent = 'WK13' THEN 2 ELSE 0 END) + (CASE WHEN s.wave > 4 THEN 1 ELSE 0 END))))),
        ('recommend', 'nps', to_jsonb(least(10, greatest(0, 5 + floor(random() * 6)::int - (CASE WHEN s.agent = 'WK13' THEN 4 ELSE 0 END))))),
        ('use-again', 'yes-no', to_jsonb(random() < 0.8)),
        ('improve', 'multiple-choice', jsonb_build_array(floor(random() * 4)::int)),
        ('comment', 'free-text', to_jsonb('ok'::text))) e(element_id, element_type, value)
     WHERE s.status IN ('completed') OR (s.status IN ('expired', 'abandoned') AND e.element_id = 'satisfaction')`);
  await client.end();
  const app = await buildGateway({
    logger: silentLogger(), producer: { publish: async () => undefined } as never, registry: createMetricsRegistry('ingest-gateway'), readiness: [],
    publicBaseUrl: 'http://127.0.0.1', twilioAuthTokens: ['x-token-0123'], maxBodyBytes: 65536, apiKeys: ['shot-key-0123'],
    surveys, suppressions: { isSuppressed: async () => false }, sessions: createSurveySessionReader(prisma), results: createSurveyResultsReader(prisma), consoleDir: outDir,
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const userDataDir = await mkdtemp(join(tmpdir(), 'console-shot-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1400, height: 1640 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${url}/console`);
  await page.fill('input[name="api-key"]', 'shot-key-0123');
  await page.click('button:has-text("Sign in")');
  await page.locator('text=New survey').waitFor();
  await page.goto(`${url}/console/#/results/support-csat`);
  await page.locator('svg.line-chart[data-chart="nps"]').waitFor();
  await page.waitForTimeout(500);
  await page.screenshot({ path: process.argv[2] ?? '/tmp/console-results.png', fullPage: false });
  await context.close();
  await rm(userDataDir, { recursive: true, force: true });
  await app.close();
} finally {
  await prisma.$disconnect();
  await db.drop();
  await rm(outDir, { recursive: true, force: true });
}
