import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMetricsRegistry } from '@sms-survey/service-kit';
import { silentLogger } from '@sms-survey/testing';
import { buildGateway } from '../src/index.js';
import { createSurveyResultsReader, csvLine, ExportPage, ResultsResponse } from '../src/api/survey-results.js';
import { createSurveySessionReader } from '../src/api/survey-sessions.js';
import { API_KEY, example, openDatabase, type Database } from './public-api-harness.js';

// The results API (GET /v1/surveys/:id/results and …/results/export) against a test database of this file's own:
// sessions stored as the orchestrator stores them, the aggregates, CSAT/NPS by day, queue and agent, the filters,
// the JSON and CSV export, and the 400s for bad query strings.

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const SURVEY = 'results-mixed';
let db: Database;
let app: FastifyInstance;
const closers: (() => Promise<unknown>)[] = [];
const ids: Record<string, string> = {};

const get = (url: string, headers: Record<string, string> = { authorization: `Bearer ${API_KEY}` }) => app.inject({ method: 'GET', url, headers });
const json = async (url: string) => {
  const res = await get(url);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const problemsOf = async (url: string) => {
  const res = await get(url);
  expect(res.statusCode, res.body).toBe(400);
  expect(res.json().error).toBe('invalid request');
  return res.json().problems as string[];
};

const TYPES: Record<string, string> = { satisfaction: 'scale', recommend: 'nps', improve: 'multiple-choice', 'contact-channel': 'dropdown', comment: 'free-text' };

/** A session as the orchestrator stores it, answers in the order given. */
async function storeSession(name: string, fields: { status: string; startedAt: string; version?: number; queue?: string; agent?: string; answers?: [string, unknown, string][]; surveyId?: string }) {
  const id = randomUUID();
  const startedAt = new Date(fields.startedAt);
  const customer = `+47912${String(Object.keys(ids).length).padStart(5, '0')}`;
  await db.prisma.surveySession.create({
    data: {
      id,
      surveyId: fields.surveyId ?? SURVEY,
      surveyVersion: fields.version ?? 1,
      customer,
      senderNumber: '+4759440000',
      status: fields.status,
      currentElementId: fields.status === 'active' ? 'recommend' : null,
      language: 'en',
      userSessionVariables: [
        ...(fields.queue ? [{ key: 'queueKey', value: fields.queue }] : []),
        ...(fields.agent ? [{ key: 'agentId', value: fields.agent }] : []),
        { key: 'consumerPhone', value: customer },
        { key: 'consumerEmail', value: 'kari@example.com' },
      ],
      expiresAt: new Date(startedAt.getTime() + 86_400_000),
      startedAt,
      endedAt: fields.status === 'active' ? null : new Date(startedAt.getTime() + 600_000),
      answers: {
        create: (fields.answers ?? []).map(([elementId, value, rawReply], i) => ({
          elementId,
          elementType: TYPES[elementId]!,
          rawReply,
          value: value as never,
          answeredAt: new Date(startedAt.getTime() + 1000 * (i + 1)),
        })),
      },
    },
  });
  ids[name] = id;
  return { id, customer };
}

beforeAll(async () => {
  db = await openDatabase();
  closers.push(() => db.close());
  app = await buildGateway({
    logger: silentLogger(),
    producer: { publish: async () => undefined } as never,
    registry: createMetricsRegistry('ingest-gateway'),
    readiness: [],
    publicBaseUrl: 'https://surveys.example.com',
    twilioAuthTokens: ['twilio-auth-token-0123'],
    maxBodyBytes: 64 * 1024,
    apiKeys: [API_KEY],
    surveys: db.surveys,
    suppressions: { isSuppressed: async () => false },
    sessions: createSurveySessionReader(db.prisma),
    results: createSurveyResultsReader(db.prisma),
  });
  closers.push(() => app.close());
  // A survey with a CSAT scale (1–5) and an NPS question: the NPS example with a scale in front and a free text at the end.
  const nps = example('nps');
  const definition = {
    ...nps,
    id: SURVEY,
    elements: [
      { id: 'satisfaction', type: 'scale', min: 1, max: 5, text: { en: 'How satisfied were you?' } },
      ...(nps['elements'] as unknown[]),
      { id: 'comment', type: 'free-text', text: { en: 'Anything else?' } },
    ],
  };
  const put = (body: unknown) => app.inject({ method: 'PUT', url: `/v1/surveys/${SURVEY}`, headers: { authorization: `Bearer ${API_KEY}` }, payload: body as object });
  expect((await put(definition)).statusCode).toBe(201);
  expect((await put({ ...definition, name: 'Version 2' })).statusCode).toBe(201);

  // Day 1, queue support, agent WK1.
  await storeSession('s1', { status: 'completed', startedAt: '2026-11-20T10:00:00Z', queue: 'support', agent: 'WK1', answers: [['satisfaction', 5, '5'], ['recommend', 10, '10'], ['improve', [0, 2], '1 3'], ['comment', 'Bra, "takk"', 'Bra, "takk"']] });
  await storeSession('s2', { status: 'completed', startedAt: '2026-11-20T10:01:00Z', queue: 'support', agent: 'WK1', answers: [['satisfaction', 4, ' 4'], ['recommend', 7, '7'], ['improve', [1], '2']] });
  await storeSession('s3', { status: 'expired', startedAt: '2026-11-20T10:02:00Z', queue: 'support', agent: 'WK1', answers: [['satisfaction', 2, '2']] });
  // Day 2, queue sales, agent WK2; and one without variables.
  await storeSession('s4', { status: 'completed', startedAt: '2026-11-21T10:00:00Z', queue: 'sales', agent: 'WK2', answers: [['satisfaction', 1, '1'], ['recommend', 3, '3'], ['improve', [0], '1']] });
  await storeSession('s5', { status: 'opted-out', startedAt: '2026-11-21T10:01:00Z', queue: 'sales', agent: 'WK2' });
  await storeSession('s6', { status: 'failed', startedAt: '2026-11-21T10:02:00Z', queue: 'sales', agent: 'WK2' });
  await storeSession('s7', { status: 'active', startedAt: '2026-11-21T10:03:00Z', answers: [['satisfaction', 3, '3']] });
  // Day 3, version 2.
  await storeSession('s8', { status: 'completed', startedAt: '2026-11-22T10:00:00Z', version: 2, queue: 'support', agent: 'WK2', answers: [['satisfaction', 5, '5'], ['recommend', 9, '9']] });
  // Another survey's session counts nowhere.
  await storeSession('other', { status: 'completed', surveyId: 'another-survey', startedAt: '2026-11-21T11:00:00Z', queue: 'support', agent: 'WK1', answers: [['satisfaction', 1, '1']] });
});
afterAll(async () => {
  while (closers.length > 0) await closers.pop()!().catch(() => undefined);
});

describe('GET /v1/surveys/:surveyId/results', () => {
  it('counts sessions by outcome, rates, and the distribution of each question', async () => {
    const results = ResultsResponse.parse(await json(`/v1/surveys/${SURVEY}/results`));
    expect(results).toMatchObject({ surveyId: SURVEY, version: null, from: null, to: null, timeZone: 'UTC' });
    expect(results.totals).toEqual({ sent: 8, answered: 6, completed: 4, expired: 1, optedOut: 1, failed: 1, active: 1, abandoned: 0, superseded: 0 });
    expect(results.rates).toEqual({ response: 0.75, completion: 0.5 });
    const byId = Object.fromEntries(results.questions.map((q) => [q.elementId, q]));
    expect(Object.keys(byId).sort()).toEqual(['comment', 'improve', 'recommend', 'satisfaction']);
    expect(byId['satisfaction']).toEqual({
      elementId: 'satisfaction',
      elementType: 'scale',
      answers: 6,
      mean: 3.33,
      values: [
        { value: '1', count: 1 },
        { value: '2', count: 1 },
        { value: '3', count: 1 },
        { value: '4', count: 1 },
        { value: '5', count: 2 },
      ],
    });
    expect(byId['recommend']).toMatchObject({ elementType: 'nps', answers: 4, mean: 7.25 });
    // A multiple-choice answer counts for each option chosen; the answer itself once.
    expect(byId['improve']).toEqual({ elementId: 'improve', elementType: 'multiple-choice', answers: 3, mean: null, values: [{ value: '0', count: 2 }, { value: '1', count: 1 }, { value: '2', count: 1 }] });
    // Free text is counted, not listed.
    expect(byId['comment']).toEqual({ elementId: 'comment', elementType: 'free-text', answers: 1, mean: null, values: [] });
  });

  it('CSAT (4–5 of 1–5) and NPS (promoters − detractors) overall, per day, per queue and per agent', async () => {
    const { csat, nps } = ResultsResponse.parse(await json(`/v1/surveys/${SURVEY}/results`));
    expect(csat.elementId).toBe('satisfaction');
    expect(csat.overall).toEqual({ answers: 6, satisfied: 3, score: 50 });
    expect(csat.byDay).toEqual([
      { day: '2026-11-20', answers: 3, satisfied: 2, score: 66.7 },
      { day: '2026-11-21', answers: 2, satisfied: 0, score: 0 },
      { day: '2026-11-22', answers: 1, satisfied: 1, score: 100 },
    ]);
    expect(csat.byQueue).toEqual([
      { queueKey: 'support', answers: 4, satisfied: 3, score: 75 },
      { queueKey: 'sales', answers: 1, satisfied: 0, score: 0 },
      { queueKey: null, answers: 1, satisfied: 0, score: 0 },
    ]);
    expect(csat.byAgent).toEqual([
      { agentId: 'WK1', answers: 3, satisfied: 2, score: 66.7 },
      { agentId: 'WK2', answers: 2, satisfied: 1, score: 50 },
      { agentId: null, answers: 1, satisfied: 0, score: 0 },
    ]);
    expect(nps.elementId).toBe('recommend');
    expect(nps.overall).toEqual({ answers: 4, promoters: 2, passives: 1, detractors: 1, score: 25 });
    expect(nps.byDay).toEqual([
      { day: '2026-11-20', answers: 2, promoters: 1, passives: 1, detractors: 0, score: 50 },
      { day: '2026-11-21', answers: 1, promoters: 0, passives: 0, detractors: 1, score: -100 },
      { day: '2026-11-22', answers: 1, promoters: 1, passives: 0, detractors: 0, score: 100 },
    ]);
    expect(nps.byQueue).toEqual([
      { queueKey: 'support', answers: 3, promoters: 2, passives: 1, detractors: 0, score: 66.7 },
      { queueKey: 'sales', answers: 1, promoters: 0, passives: 0, detractors: 1, score: -100 },
    ]);
    expect(nps.byAgent.map((a) => [a.agentId, a.score])).toEqual([
      ['WK1', 50],
      ['WK2', 0],
    ]);
  });

  it('days in the time zone asked for', async () => {
    // 10:00 UTC is the next day at UTC+14.
    const { csat, timeZone } = ResultsResponse.parse(await json(`/v1/surveys/${SURVEY}/results?tz=Pacific/Kiritimati`));
    expect(timeZone).toBe('Pacific/Kiritimati');
    expect(csat.byDay.map((d) => d.day)).toEqual(['2026-11-21', '2026-11-22', '2026-11-23']);
  });

  it('filters by version and by time range [from, to)', async () => {
    const v2 = ResultsResponse.parse(await json(`/v1/surveys/${SURVEY}/results?version=2`));
    expect(v2.version).toBe(2);
    expect(v2.totals).toMatchObject({ sent: 1, answered: 1, completed: 1 });
    expect(v2.csat.overall).toEqual({ answers: 1, satisfied: 1, score: 100 });
    const day2 = ResultsResponse.parse(await json(`/v1/surveys/${SURVEY}/results?from=2026-11-21&to=2026-11-21T10:02:00Z`));
    expect(day2).toMatchObject({ from: '2026-11-21T00:00:00.000Z', to: '2026-11-21T10:02:00.000Z' });
    expect(day2.totals).toMatchObject({ sent: 2, answered: 1, completed: 1, optedOut: 1, failed: 0 });
    expect(day2.nps.overall.score).toBe(-100);
    const empty = ResultsResponse.parse(await json(`/v1/surveys/${SURVEY}/results?from=2027-01-01T00:00:00%2B01:00`));
    expect(empty.totals.sent).toBe(0);
    expect(empty.rates).toEqual({ response: null, completion: null });
    expect(empty.csat.overall).toEqual({ answers: 0, satisfied: 0, score: null });
    expect(empty.csat.byDay).toEqual([]);
    expect(empty.questions).toEqual([]);
  });

  it('a survey without a scale or NPS question has no scores; a named element must exist', async () => {
    expect((await app.inject({ method: 'PUT', url: '/v1/surveys/yes-no-only', headers: { authorization: `Bearer ${API_KEY}` }, payload: { ...example('nps'), id: 'yes-no-only', elements: [{ id: 'ok', type: 'yes-no', text: { en: 'OK?' } }], rules: [] } })).statusCode).toBe(201);
    const results = ResultsResponse.parse(await json('/v1/surveys/yes-no-only/results'));
    expect(results.csat).toEqual({ elementId: null, overall: { answers: 0, satisfied: 0, score: null }, byDay: [], byQueue: [], byAgent: [] });
    expect(results.nps.elementId).toBeNull();
    expect(await problemsOf(`/v1/surveys/${SURVEY}/results?csatElement=recommend`)).toEqual(['csatElement: version 2 has no scale element "recommend"']);
    expect(await problemsOf(`/v1/surveys/${SURVEY}/results?npsElement=satisfaction&version=1`)).toEqual(['npsElement: version 1 has no NPS element "satisfaction"']);
  });

  it('400 naming each bad parameter, 404 for an unknown survey, 401 without the key', async () => {
    expect(await problemsOf(`/v1/surveys/${SURVEY}/results?from=yesterday&tz=Mars/Olympus&version=0`)).toEqual([
      'version: Too small: expected number to be >=1',
      'from: must be an ISO 8601 date (2026-11-20) or date-time with an offset (2026-11-20T10:00:00Z)',
      'tz: must be an IANA time zone such as Europe/Oslo or UTC',
    ]);
    expect(await problemsOf(`/v1/surveys/${SURVEY}/results?from=2026-11-22&to=2026-11-21`)).toEqual(['to: must be later than from']);
    expect(await problemsOf(`/v1/surveys/${SURVEY}/results?from=2026-11-20T10:00:00`)).toEqual([
      'from: must be an ISO 8601 date (2026-11-20) or date-time with an offset (2026-11-20T10:00:00Z)',
    ]);
    expect((await problemsOf(`/v1/surveys/${SURVEY}/results?limit=5`)).join()).toContain('"limit"');
    expect(await problemsOf(`/v1/surveys/${SURVEY}/results?version=3`)).toEqual([`version: survey ${SURVEY} has no version 3 (latest: 2)`]);
    // A zone the runtime knows (an old alias) but PostgreSQL's tz database does not: a 400 too, not a 500.
    expect(await problemsOf(`/v1/surveys/${SURVEY}/results?tz=US/Pacific-New`)).toEqual(['tz: the database does not know the time zone "US/Pacific-New"']);
    const missing = await get('/v1/surveys/no-such-survey/results');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'survey no-such-survey not found' });
    expect((await get(`/v1/surveys/${SURVEY}/results`, {})).statusCode).toBe(401);
    expect((await get(`/v1/surveys/${SURVEY}/results/export`, { authorization: 'Bearer wrong' })).statusCode).toBe(401);
  });
});

describe('GET /v1/surveys/:surveyId/results/export', () => {
  const sessionIds = (page: ExportPage) => page.sessions.map((s) => s.sessionId);

  it('JSON: every session newest first, masked, the replies but no contact details; keyset-paged', async () => {
    const all = ExportPage.parse(await json(`/v1/surveys/${SURVEY}/results/export`));
    expect(sessionIds(all)).toEqual(['s8', 's7', 's6', 's5', 's4', 's3', 's2', 's1'].map((n) => ids[n]));
    expect(all.nextCursor).toBeNull();
    const s1 = all.sessions.find((s) => s.sessionId === ids['s1'])!;
    expect(s1).toEqual({
      sessionId: ids['s1'],
      surveyVersion: 1,
      customer: '+•••••••000',
      status: 'completed',
      language: 'en',
      startedAt: '2026-11-20T10:00:00.000Z',
      endedAt: '2026-11-20T10:10:00.000Z',
      endReason: null,
      queueKey: 'support',
      agentId: 'WK1',
      answers: [
        { elementId: 'satisfaction', elementType: 'scale', value: 5, rawReply: '5', answeredAt: '2026-11-20T10:00:01.000Z' },
        { elementId: 'recommend', elementType: 'nps', value: 10, rawReply: '10', answeredAt: '2026-11-20T10:00:02.000Z' },
        { elementId: 'improve', elementType: 'multiple-choice', value: [0, 2], rawReply: '1 3', answeredAt: '2026-11-20T10:00:03.000Z' },
        { elementId: 'comment', elementType: 'free-text', value: 'Bra, "takk"', rawReply: 'Bra, "takk"', answeredAt: '2026-11-20T10:00:04.000Z' },
      ],
    });
    const body = (await get(`/v1/surveys/${SURVEY}/results/export`)).body;
    expect(body).not.toMatch(/\+47912\d{5}/);
    expect(body).not.toContain('kari@example.com');

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: ExportPage = ExportPage.parse(await json(`/v1/surveys/${SURVEY}/results/export?limit=3${cursor ? `&before=${cursor}` : ''}`));
      seen.push(...sessionIds(page));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(sessionIds(all));
  });

  it('filters by version, status, time range, queue and agent', async () => {
    const page = async (query: string) => sessionIds(ExportPage.parse(await json(`/v1/surveys/${SURVEY}/results/export?${query}`)));
    expect(await page('version=2')).toEqual([ids['s8']]);
    expect(await page('status=completed')).toEqual([ids['s8'], ids['s4'], ids['s2'], ids['s1']]);
    expect(await page('from=2026-11-21&to=2026-11-22')).toEqual([ids['s7'], ids['s6'], ids['s5'], ids['s4']]);
    expect(await page('queueKey=support')).toEqual([ids['s8'], ids['s3'], ids['s2'], ids['s1']]);
    expect(await page('agentId=WK2&status=completed')).toEqual([ids['s8'], ids['s4']]);
    expect(await page('queueKey=support&agentId=WK2&version=1')).toEqual([]);
    expect(await page('status=active&queueKey=nobody')).toEqual([]);
  });

  it('CSV: a header, one line per session with each question’s value and reply; streamed, or a page with x-next-cursor', async () => {
    const res = await get(`/v1/surveys/${SURVEY}/results/export?format=csv`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${SURVEY}-sessions.csv"`);
    const lines = res.body.split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toBe(
      'sessionId,surveyVersion,customer,status,language,startedAt,endedAt,endReason,queueKey,agentId,' +
        'satisfaction,satisfaction.reply,recommend,recommend.reply,improve,improve.reply,contact-channel,contact-channel.reply,comment,comment.reply',
    );
    expect(lines).toHaveLength(9);
    expect(lines[8]).toBe(
      `${ids['s1']},1,+•••••••000,completed,en,2026-11-20T10:00:00.000Z,2026-11-20T10:10:00.000Z,,support,WK1,5,5,10,10,"[0,2]",1 3,,,"Bra, ""takk""","Bra, ""takk"""`,
    );
    expect(lines[1]!.startsWith(`${ids['s8']},2,`)).toBe(true);
    expect(res.body).not.toMatch(/\+47912\d{5}/);

    const first = await get(`/v1/surveys/${SURVEY}/results/export?format=csv&limit=5&status=completed`);
    expect(first.body.split('\r\n')).toHaveLength(6); // header, 4 sessions, ''
    expect(first.headers['x-next-cursor']).toBeUndefined();
    const paged = await get(`/v1/surveys/${SURVEY}/results/export?format=csv&limit=2`);
    expect(paged.body.split('\r\n')).toHaveLength(4);
    const cursor = paged.headers['x-next-cursor'] as string;
    expect(cursor).toMatch(/\S/);
    const next = await get(`/v1/surveys/${SURVEY}/results/export?format=csv&limit=2&before=${cursor}`);
    expect(next.body.split('\r\n')[1]!.startsWith(`${ids['s6']},`)).toBe(true);
  });

  it('a cell that a spreadsheet would run as a formula is defused', () => {
    const line = csvLine(
      { sessionId: 'x', surveyVersion: 1, customer: '+•••1', status: 'completed', language: 'en', startedAt: 't', endedAt: null, endReason: null, queueKey: '=HYPERLINK("x")', agentId: '-3', answers: [{ elementId: 'c', elementType: 'free-text', value: '@SUM(A1)', rawReply: '+1', answeredAt: 't' }] },
      ['c'],
    );
    expect(line).toBe(`x,1,+•••1,completed,en,t,,,"'=HYPERLINK(""x"")",-3,'@SUM(A1),'+1\r\n`);
  });

  it('400 naming each bad parameter, 404 for an unknown survey', async () => {
    expect(await problemsOf(`/v1/surveys/${SURVEY}/results/export?format=xml&limit=0&status=done`)).toEqual([
      'format: Invalid option: expected one of "json"|"csv"',
      'limit: Too small: expected number to be >=1',
      'status: Invalid input',
    ]);
    expect(await problemsOf(`/v1/surveys/${SURVEY}/results/export?limit=1001`)).toEqual(['limit: Too big: expected number to be <=1000']);
    expect(await problemsOf(`/v1/surveys/${SURVEY}/results/export?before=bm90LWEtY3Vyc29y`)).toEqual(['before: not a cursor this API returned (use nextCursor)']);
    expect(await problemsOf(`/v1/surveys/${SURVEY}/results/export?queueKey=&to=2026-13-01`)).toEqual([
      'to: must be an ISO 8601 date (2026-11-20) or date-time with an offset (2026-11-20T10:00:00Z)',
      'queueKey: Too small: expected string to have >=1 characters',
    ]);
    expect((await get('/v1/surveys/no-such-survey/results/export?format=csv')).statusCode).toBe(404);
  });
});
