// The results API on a million sessions (docs/benchmarks.md, "Results API on a million sessions"), run by hand:
//
//   tsx tools/bench/seed-results.ts                 # about 3 minutes on 2 vCPUs; rewrites the section's figures
//   RESULTS_BENCH_SESSIONS=100000 tsx tools/bench/seed-results.ts --no-docs   # a quick look, docs untouched
//   RESULTS_BENCH_KEEP=1 tsx tools/bench/seed-results.ts                       # keep the database to look at it
//
// Creates its own database (RESULTS_BENCH_DATABASE_URL, default sms_survey_results_bench) from the migrated test
// template (TEST_TEMPLATE_DATABASE_URL, default sms_survey_test_template), applies any newer migration, fills it
// with server-side SQL (generate_series; nothing goes through Node), runs EXPLAIN (ANALYZE, BUFFERS) of each
// query of apps/ingest-gateway/src/api/survey-results.ts, times the reader's calls as the routes make them,
// writes the table between the markers of docs/benchmarks.md, and drops the database.
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createPrismaClient, migrateDatabase, type Prisma } from '@sms-survey/db';
import {
  settingsFor,
  createSurveyResultsReader,
  csvHeader,
  csvLine,
  csvQuestionColumns,
  exportSql,
  questionsSql,
  scoresSql,
  totalsSql,
  type ResultsScope,
} from '../../apps/ingest-gateway/src/api/survey-results.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SESSIONS = Number(process.env.RESULTS_BENCH_SESSIONS ?? 1_000_000);
const OTHER_SESSIONS = Math.round(SESSIONS / 10);
const DATABASE_URL = process.env.RESULTS_BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/sms_survey_results_bench';
const TEMPLATE_URL = process.env.TEST_TEMPLATE_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/sms_survey_test_template';
const WRITE_DOCS = !process.argv.includes('--no-docs');
const KEEP = process.env.RESULTS_BENCH_KEEP === '1';
const SURVEY = 'bench-results';
const DAYS = 90;
const FIRST_DAY = '2026-09-01T00:00:00Z';

const log = (line: string) => console.log(`[seed-results ${new Date().toISOString().slice(11, 19)}] ${line}`);

const definition = (version: number) => ({
  id: SURVEY,
  name: `Results benchmark v${version}`,
  defaultLanguage: 'en',
  languages: ['en', 'no'],
  elements: [
    { id: 'intro', type: 'text', text: { en: 'Two minutes of your time?', no: 'To minutter av din tid?' } },
    { id: 'satisfaction', type: 'scale', min: 1, max: 5, text: { en: 'How satisfied were you?', no: 'Hvor fornøyd var du?' } },
    { id: 'recommend', type: 'nps', text: { en: 'Would you recommend us?', no: 'Vil du anbefale oss?' } },
    { id: 'use-again', type: 'yes-no', text: { en: 'Use us again?', no: 'Bruke oss igjen?' } },
    {
      id: 'improve',
      type: 'multiple-choice',
      text: { en: 'What should we improve?', no: 'Hva bør vi bli bedre på?' },
      options: ['Waiting time', 'Friendliness', 'Knowledge', 'Other'].map((t) => ({ text: { en: t, no: t } })),
    },
    { id: 'channel', type: 'dropdown', text: { en: 'How did you contact us?', no: 'Hvordan kontaktet du oss?' }, options: ['Phone', 'Chat', 'Email'].map((t) => ({ text: { en: t, no: t } })) },
    { id: 'comment', type: 'free-text', text: { en: 'Anything else?', no: 'Noe annet?' } },
  ],
  texts: {},
});

/** `count` sessions of `surveyId` over DAYS days (in start-time order, as they are appended in production), then their answers. */
async function seed(client: pg.Client, surveyId: string, count: number, offset: number): Promise<void> {
  await client.query(
    `INSERT INTO survey_session (id, survey_id, survey_version, customer, sender_number, status, current_element_id, language,
                                 user_session_variables, expires_at, started_at, ended_at)
     SELECT gen_random_uuid(), $1, CASE WHEN i <= $2::int * 0.3 THEN 1 ELSE 2 END, '+479' || lpad((i + $3::int)::text, 7, '0'), '+4759440000',
            status, CASE WHEN status = 'active' THEN 'satisfaction' END, CASE WHEN i % 3 = 0 THEN 'en' ELSE 'no' END,
            jsonb_build_array(jsonb_build_object('key', 'queueKey', 'value', 'queue-' || (i % 8)),
                              jsonb_build_object('key', 'agentId', 'value', 'WK' || lpad(((i::bigint * 7919) % 400)::text, 3, '0')),
                              jsonb_build_object('key', 'consumerPhone', 'value', '+479' || lpad((i + $3::int)::text, 7, '0'))),
            started_at + interval '1 day', started_at, CASE WHEN status <> 'active' THEN started_at + interval '5 minutes' END
       FROM (SELECT i,
                    $4::timestamptz + (i::float8 / $2::int) * interval '${DAYS} days' AS started_at,
                    CASE WHEN r < 0.55 THEN 'completed' WHEN r < 0.75 THEN 'expired' WHEN r < 0.83 THEN 'active' WHEN r < 0.88 THEN 'abandoned'
                         WHEN r < 0.91 THEN 'opted-out' WHEN r < 0.93 THEN 'failed' ELSE 'superseded' END AS status
               FROM (SELECT i, random() AS r FROM generate_series(1, $2::int) i) g) x`,
    [surveyId, count, offset, FIRST_DAY],
  );
  // Completed: all six questions; the others stopped after 0–2 (opted out and failed: none or the first).
  // Satisfaction and the NPS drift with the weekday and the agent, so the charts have something to show.
  await client.query(
    `INSERT INTO survey_answer (session_id, element_id, element_type, raw_reply, value, answered_at)
     SELECT id, element_id, element_type, CASE WHEN jsonb_typeof(value) = 'array' THEN translate(value::text, '[] ', '') ELSE value #>> '{}' END, value, answered_at
       FROM (SELECT s.id, e.element_id, e.element_type, s.started_at + e.ord * interval '40 seconds' AS answered_at,
                    CASE e.ord
                      WHEN 1 THEN to_jsonb(least(5, greatest(1, (ARRAY[1,2,3,3,4,4,4,5,5,5])[1 + floor(random() * 10)::int] + s.mood)))
                      WHEN 2 THEN to_jsonb(least(10, greatest(0, floor(random() * 11)::int + 2 * s.mood)))
                      WHEN 3 THEN to_jsonb(random() < 0.8)
                      WHEN 4 THEN CASE WHEN random() < 0.5 THEN jsonb_build_array(floor(random() * 4)::int)
                                       ELSE jsonb_build_array(0, 1 + floor(random() * 3)::int) END
                      WHEN 5 THEN to_jsonb(floor(random() * 3)::int)
                      ELSE to_jsonb((ARRAY['Lang kø', 'Very helpful, thanks', 'Too slow', 'Greit nok', 'Fikk svar med en gang'])[1 + floor(random() * 5)::int])
                    END AS value
               FROM (SELECT id, started_at,
                            CASE status WHEN 'completed' THEN 6 WHEN 'failed' THEN 0 WHEN 'opted-out' THEN floor(random() * 2)::int
                                        ELSE floor(random() * 3)::int END AS n,
                            (CASE WHEN extract(isodow FROM started_at) >= 6 THEN 1 ELSE 0 END)
                              - (CASE WHEN user_session_variables->1->>'value' < 'WK040' THEN 1 ELSE 0 END) AS mood
                       FROM survey_session WHERE survey_id = $1) s
               JOIN LATERAL (SELECT * FROM (VALUES (1, 'satisfaction', 'scale'), (2, 'recommend', 'nps'), (3, 'use-again', 'yes-no'),
                                                   (4, 'improve', 'multiple-choice'), (5, 'channel', 'dropdown'), (6, 'comment', 'free-text')) v(ord, element_id, element_type)
                              WHERE v.ord <= s.n) e ON true) a`,
    [surveyId],
  );
}

async function recreate(admin: pg.Client, name: string, template: string): Promise<void> {
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      return;
    } catch (error) {
      // Another test run may be cloning the template right now ("is being accessed by other users").
      if (attempt >= 30 || !/being accessed/.test((error as Error).message)) throw error;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

interface PlanFigures {
  name: string;
  what: string;
  cost: number;
  planningMs: number;
  executionMs: number;
  rows: number;
  sharedHit: number;
  sharedRead: number;
  nodes: string;
}

/** The node types of a plan, outermost first, with the indexes they use (de-duplicated). */
function nodesOf(plan: Record<string, unknown>): string {
  const seen: string[] = [];
  const walk = (node: Record<string, unknown>) => {
    const label = `${node['Node Type'] as string}${node['Index Name'] ? ` ${node['Index Name'] as string}` : ''}`;
    if (!seen.includes(label) && !/^(Result|Limit|Subquery Scan|CTE Scan|Materialize|Gather Merge|Gather|Hash)$/.test(label)) seen.push(label);
    for (const child of (node['Plans'] as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  walk(plan);
  return seen.join(', ');
}

async function explain(client: pg.Client, name: string, what: string, query: Prisma.Sql, kind: 'aggregate' | 'scores' | 'page'): Promise<PlanFigures> {
  // With the reader's settings for the query (in a transaction, as it runs them); warmed once, as a results page
  // would be after its first load; then the measured run.
  await client.query('BEGIN');
  for (const setting of settingsFor(kind)) await client.query(setting);
  await client.query(query.text, query.values as unknown[]);
  const result = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${query.text}`, query.values as unknown[]);
  await client.query('COMMIT');
  const [top] = result.rows[0]['QUERY PLAN'] as { Plan: Record<string, unknown>; 'Planning Time': number; 'Execution Time': number }[];
  const plan = top!.Plan;
  const figures = {
    name,
    what,
    cost: plan['Total Cost'] as number,
    planningMs: top!['Planning Time'],
    executionMs: top!['Execution Time'],
    rows: plan['Actual Rows'] as number,
    sharedHit: plan['Shared Hit Blocks'] as number,
    sharedRead: plan['Shared Read Blocks'] as number,
    nodes: nodesOf(plan),
  };
  log(`${name}: cost ${figures.cost.toFixed(0)}, ${figures.executionMs.toFixed(1)} ms, ${figures.nodes}`);
  return figures;
}

async function timed<T>(fn: () => Promise<T>, runs = 3): Promise<{ ms: number; value: T }> {
  let best = Number.POSITIVE_INFINITY;
  let value!: T;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    value = await fn();
    best = Math.min(best, performance.now() - t0);
  }
  return { ms: best, value };
}

async function main(): Promise<void> {
  const started = performance.now();
  const name = new URL(DATABASE_URL).pathname.slice(1);
  const template = new URL(TEMPLATE_URL).pathname.slice(1);
  const adminUrl = new URL(DATABASE_URL);
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  await recreate(admin, name, template);
  log(`created ${name} from ${template}`);
  const client = new pg.Client({ connectionString: DATABASE_URL });
  const prisma = createPrismaClient({ databaseUrl: DATABASE_URL, poolSize: 3 });
  try {
    await migrateDatabase({ databaseUrl: DATABASE_URL, configFile: join(root, 'libs/db/prisma.config.ts'), stdio: 'ignore', log });
    await client.connect();
    for (const version of [1, 2]) {
      await client.query(`INSERT INTO survey_definition (survey_id, version, definition, content_hash) VALUES ($1, $2, $3, $4)`, [SURVEY, version, definition(version), `bench-${version}`]);
    }
    let t0 = performance.now();
    await seed(client, SURVEY, SESSIONS, 0);
    await seed(client, 'bench-other', OTHER_SESSIONS, SESSIONS);
    const seedSeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    await client.query('VACUUM (ANALYZE) survey_session, survey_answer');
    const vacuumSeconds = (performance.now() - t0) / 1000;
    const sizes = (
      await client.query<{ sessions: string; answers: string; size: string }>(
        `SELECT (SELECT count(*) FROM survey_session) AS sessions, (SELECT count(*) FROM survey_answer) AS answers, pg_size_pretty(pg_database_size(current_database())) AS size`,
      )
    ).rows[0]!;
    log(`seeded ${sizes.sessions} sessions, ${sizes.answers} answers (${sizes.size}) in ${seedSeconds.toFixed(0)} s, vacuum/analyze ${vacuumSeconds.toFixed(0)} s`);

    const whole: ResultsScope = { surveyId: SURVEY };
    const week: ResultsScope = { surveyId: SURVEY, version: 2, from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-08T00:00:00Z') };
    const elements = { csat: 'satisfaction', csatTop: 4, nps: 'recommend' };
    const reader = createSurveyResultsReader(prisma);
    const firstPage = await reader.exportPage(whole, 100);
    const middle = await reader.exportPage({ ...whole, to: new Date('2026-10-15T00:00:00Z') }, 1);
    const deepCursor = { startedAt: new Date(middle.sessions[0]!.startedAt), id: middle.sessions[0]!.sessionId };
    const plans: PlanFigures[] = [];
    plans.push(await explain(client, 'totals', 'sessions by status, answered (whole survey)', totalsSql(whole), 'aggregate'));
    plans.push(await explain(client, 'questions', 'per-question value counts and means (whole survey)', questionsSql(whole), 'aggregate'));
    plans.push(await explain(client, 'scores', 'CSAT and NPS overall, by day, queue, agent (whole survey)', scoresSql(whole, elements, 'Europe/Oslo'), 'scores'));
    plans.push(await explain(client, 'totals, a week', 'version 2, one week', totalsSql(week), 'aggregate'));
    plans.push(await explain(client, 'questions, a week', 'version 2, one week', questionsSql(week), 'aggregate'));
    plans.push(await explain(client, 'scores, a week', 'version 2, one week', scoresSql(week, elements, 'Europe/Oslo'), 'scores'));
    plans.push(await explain(client, 'export, first page', '100 newest sessions with answers', exportSql(whole, 101), 'page'));
    plans.push(await explain(client, 'export, deep page', '100 sessions after a cursor half-way down', exportSql(whole, 101, deepCursor), 'page'));
    plans.push(await explain(client, 'export, status + queue', 'status=completed, queueKey=queue-3, 100', exportSql({ ...whole, status: 'completed', queueKey: 'queue-3' }, 101), 'page'));
    plans.push(await explain(client, 'export, one agent', 'agentId=WK007 (1 in 400), 100', exportSql({ ...whole, agentId: 'WK007' }, 101), 'page'));

    // The reader as the routes call it (through Prisma and the pg driver adapter, JSON shaped), best of 3.
    const versions = await reader.definitions(SURVEY);
    const calls: { what: string; ms: number; note: string }[] = [];
    const all = await timed(() => reader.results({ surveyId: SURVEY, tz: 'Europe/Oslo' }, elements), 2);
    calls.push({ what: 'GET …/results (whole survey)', ms: all.ms, note: `${all.value.totals.sent} sent, CSAT ${all.value.csat.overall.score}, NPS ${all.value.nps.overall.score}, ${all.value.csat.byDay.length} days` });
    const weekly = await timed(() => reader.results({ surveyId: SURVEY, version: 2, from: week.from, to: week.to, tz: 'Europe/Oslo' }, elements));
    calls.push({ what: 'GET …/results?version=2&from=…&to=… (a week)', ms: weekly.ms, note: `${weekly.value.totals.sent} sent` });
    const page = await timed(() => reader.exportPage(whole, 1000));
    calls.push({ what: 'GET …/results/export?limit=1000 (JSON page)', ms: page.ms, note: `${page.value.sessions.length} sessions` });
    const columns = csvQuestionColumns(versions);
    const csv = await timed(async () => {
      let bytes = csvHeader(columns).length;
      let rows = 0;
      let cursor: typeof deepCursor | undefined;
      for (;;) {
        const batch = await reader.exportPage(week, 1000, cursor);
        for (const s of batch.sessions) bytes += csvLine(s, columns).length;
        rows += batch.sessions.length;
        if (!batch.nextCursor) break;
        const last = batch.sessions[batch.sessions.length - 1]!;
        cursor = { startedAt: new Date(last.startedAt), id: last.sessionId };
      }
      return { rows, bytes };
    }, 1);
    calls.push({ what: 'GET …/results/export?format=csv&version=2&from=…&to=… (a week, streamed)', ms: csv.ms, note: `${csv.value.rows} rows, ${(csv.value.bytes / 1e6).toFixed(1)} MB, ${Math.round(csv.value.rows / (csv.ms / 1000))} rows/s` });
    for (const c of calls) log(`${c.what}: ${c.ms.toFixed(0)} ms (${c.note})`);
    if (firstPage.sessions.length === 0) throw new Error('the export found nothing');

    const totalSeconds = (performance.now() - started) / 1000;
    const load = loadavg().map((l) => l.toFixed(1)).join(', ');
    const table = [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`tsx tools/bench/seed-results.ts\` (${totalSeconds.toFixed(0)} s in all): ${Number(sizes.sessions).toLocaleString('en')} sessions`,
      `(${SESSIONS.toLocaleString('en')} of the survey, ${OTHER_SESSIONS.toLocaleString('en')} of another) and ${Number(sizes.answers).toLocaleString('en')} answers, ${sizes.size} on disk; seeded in ${seedSeconds.toFixed(0)} s,`,
      `VACUUM ANALYZE ${vacuumSeconds.toFixed(0)} s. Each query's second run (the first warms the cache), PostgreSQL ${(await client.query('SHOW server_version')).rows[0].server_version}, default settings;`,
      `the machine's load average at the end was ${load} (1, 5, 15 min; 2 vCPUs shared with other work), so these are upper bounds.`,
      '',
      '| query | what | plan cost | execution | rows | buffers hit / read | plan |',
      '|---|---|---:|---:|---:|---:|---|',
      ...plans.map((p) => `| ${p.name} | ${p.what} | ${p.cost.toFixed(0)} | ${p.executionMs.toFixed(1)} ms | ${p.rows} | ${p.sharedHit} / ${p.sharedRead} | ${p.nodes} |`),
      '',
      '| call (the reader, through Prisma) | best of 2–3 | |',
      '|---|---:|---|',
      ...calls.map((c) => `| ${c.what} | ${c.ms.toFixed(0)} ms | ${c.note} |`),
    ].join('\n');
    if (WRITE_DOCS) {
      const path = join(root, 'docs/benchmarks.md');
      const text = await readFile(path, 'utf8');
      const begin = '<!-- seed-results:begin -->';
      const end = '<!-- seed-results:end -->';
      if (!text.includes(begin) || !text.includes(end)) throw new Error(`docs/benchmarks.md has no ${begin} … ${end} markers`);
      await writeFile(path, text.slice(0, text.indexOf(begin) + begin.length) + '\n' + table + '\n' + text.slice(text.indexOf(end)));
      log('wrote docs/benchmarks.md');
    } else {
      console.log(table);
    }
  } finally {
    await client.end().catch(() => undefined);
    await prisma.$disconnect();
    if (!KEEP) {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      log(`dropped ${name}`);
    }
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
