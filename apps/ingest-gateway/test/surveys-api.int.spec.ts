import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '@sms-survey/service-kit';
import { validateSurveyDefinition } from '@sms-survey/survey-domain';
import { createTestTopics, silentLogger } from '@sms-survey/testing';
import { loadGatewayConfig, startGateway, type GatewayHandle } from '../src/index.js';
import { API_KEY, SECOND_API_KEY, apiGateway, deleteTestTopics, example, openDatabase, type ApiGateway, type Database } from './public-api-harness.js';

// The survey definition API (/v1/surveys) and SURVEYS_DIR, on a test database of this file's own. Each test
// works on survey ids of its own, so none depends on another.

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let db: Database;
let api: ApiGateway;

beforeAll(async () => {
  db = await openDatabase();
  api = await apiGateway(db.surveys);
});
afterAll(async () => {
  await api?.close();
  await db?.close();
});

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

/** The csat example under another id. */
function csat(id: string, changes: Record<string, unknown> = {}) {
  return { ...example('csat-en-no'), id, ...changes };
}

describe('API keys', () => {
  it('answers 401 to every /v1 route without a valid Bearer key, and accepts each configured key', async () => {
    const { app } = api;
    const routes = [
      { method: 'GET', url: '/v1/surveys' },
      { method: 'GET', url: '/v1/surveys/csat-auth' },
      { method: 'GET', url: '/v1/surveys/csat-auth/versions/1' },
      { method: 'PUT', url: '/v1/surveys/csat-auth', payload: csat('csat-auth') },
      { method: 'POST', url: '/v1/surveys/csat-auth/send', payload: { identifier: '+4791234567', identifierType: 'Phone', channel: 'SMS' } },
    ] as const;
    const badHeaders: Record<string, Record<string, string>> = {
      'no Authorization header': {},
      'a wrong key': { authorization: 'Bearer not-the-api-key-0000' },
      'a key differing in its last character': { authorization: `Bearer ${API_KEY.slice(0, -1)}X` },
      'a prefix of a key': { authorization: `Bearer ${API_KEY.slice(0, 10)}` },
      'the key without "Bearer"': { authorization: API_KEY },
      'Basic credentials': { authorization: `Basic ${Buffer.from(`user:${API_KEY}`).toString('base64')}` },
      'an empty Bearer': { authorization: 'Bearer ' },
    };
    for (const route of routes) {
      for (const [what, headers] of Object.entries(badHeaders)) {
        const res = await app.inject({ ...route, headers });
        expect({ route: route.url, what, status: res.statusCode }).toEqual({ route: route.url, what, status: 401 });
        expect(res.json()).toEqual({ error: 'missing or invalid API key' });
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
    }
    // Nothing was saved by the refused PUT.
    expect(await db.surveys.latest('csat-auth')).toBeNull();

    for (const key of [API_KEY, SECOND_API_KEY]) {
      const res = await app.inject({ method: 'GET', url: '/v1/surveys', headers: { authorization: `Bearer ${key}` } });
      expect(res.statusCode).toBe(200);
    }
    // The ops routes stay open for probes.
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('API_KEYS defaults to dev-api-key, takes a comma-separated list and refuses short keys', () => {
    expect(loadGatewayConfig({}).API_KEYS).toEqual(['dev-api-key']);
    expect(loadGatewayConfig({ API_KEYS: ' first-key-0123 , second-key-4567 ,' }).API_KEYS).toEqual(['first-key-0123', 'second-key-4567']);
    expect(() => loadGatewayConfig({ API_KEYS: 'short' })).toThrow(/API_KEYS\.0: each key must be at least 8 characters/);
    expect(() => loadGatewayConfig({ API_KEYS: ' , ' })).toThrow(/API_KEYS: /);
  });
});

describe('PUT /v1/surveys/:surveyId', () => {
  it('saves the csat example as version 1, answers 200 for the same content, and saves a change as version 2', async () => {
    const definition = example('csat-en-no');

    const first = await api.request('PUT', '/v1/surveys/csat-en-no', definition);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({ surveyId: 'csat-en-no', version: 1, created: true });
    expect(first.headers.location).toBe('/v1/surveys/csat-en-no/versions/1');

    const again = await api.request('PUT', '/v1/surveys/csat-en-no', definition);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ surveyId: 'csat-en-no', version: 1, created: false });

    // Leaving out a setting that has its default value is the same survey.
    const { settings: _settings, ...withoutSettings } = definition;
    const equivalent = await api.request('PUT', '/v1/surveys/csat-en-no', withoutSettings);
    expect(equivalent.json()).toEqual({ surveyId: 'csat-en-no', version: 1, created: false });

    const changed = await api.request('PUT', '/v1/surveys/csat-en-no', { ...definition, name: 'Customer satisfaction, revised' });
    expect(changed.statusCode).toBe(201);
    expect(changed.json()).toEqual({ surveyId: 'csat-en-no', version: 2, created: true });

    expect((await db.surveys.latest('csat-en-no'))?.version).toBe(2);
    expect((await db.surveys.version('csat-en-no', 1))?.definition).toMatchObject({ name: definition.name });
  });

  it('answers 400 naming every phrase a language without built-in phrases lacks, and 201 once the survey gives them', async () => {
    const valid = csat('csat-tlh');
    const texts = valid.texts as Record<string, Record<string, string>>;
    const inKlingon = (text: Record<string, string>) => ({ ...text, tlh: `${text['en']} (tlh)` });
    const withKlingon = {
      ...valid,
      languages: ['en', 'no', 'tlh'],
      elements: (valid.elements as Record<string, unknown>[]).map((element) => ({
        ...element,
        text: inKlingon(element['text'] as Record<string, string>),
      })),
      texts: Object.fromEntries(Object.entries(texts).map(([key, text]) => [key, inKlingon(text)])),
    };
    const refused = await api.request('PUT', '/v1/surveys/csat-tlh', withKlingon);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().problems).toEqual([
      'languages[2]: "tlh" lacks phrases this survey needs: scaleInstruction, scaleLabel, yesNoInstruction, yesWords, noWords; give them in ' +
        'phrases.tlh (built-in phrases exist for en, no, sv, da, fi, de, fr, es, nl, pt and their regional variants)',
    ]);
    expect(await db.surveys.latest('csat-tlh')).toBeNull();

    const phrases = {
      tlh: {
        scaleInstruction: "{min} {max} mI' yIjang.",
        scaleLabel: '{value} = {label}',
        yesNoInstruction: "HIja' ghap ghobe' yIjang.",
        yesWords: ["HIja'"],
        noWords: ["ghobe'"],
      },
    };
    const saved = await api.request('PUT', '/v1/surveys/csat-tlh', { ...withKlingon, phrases });
    expect(saved.statusCode, JSON.stringify(saved.json())).toBe(201);
  });

  it('stores language tags in canonical case and accepts a survey in Swedish or Spanish with no texts of its own', async () => {
    for (const name of ['csat-sv', 'csat-es'] as const) {
      expect((await api.request('PUT', `/v1/surveys/${name}`, example(name))).statusCode).toBe(201);
    }
    const mixedCase = {
      id: 'cased',
      name: 'Tags in any case',
      defaultLanguage: 'EN',
      languages: ['EN', 'nb-no'],
      elements: [{ id: 'happy', type: 'yes-no', text: { EN: 'Happy?', 'NB-NO': 'Fornøyd?' } }],
    };
    expect((await api.request('PUT', '/v1/surveys/cased', mixedCase)).statusCode).toBe(201);
    const stored = (await api.request('GET', '/v1/surveys/cased')).json().definition;
    expect(stored).toMatchObject({ defaultLanguage: 'en', languages: ['en', 'nb-NO'], elements: [{ text: { en: 'Happy?', 'nb-NO': 'Fornøyd?' } }] });
  });

  it('answers 400 listing every problem of an invalid definition, and saves nothing', async () => {
    const valid = csat('csat-broken');
    const [intro, satisfaction, ...rest] = valid.elements as Record<string, unknown>[];
    const broken = {
      ...valid,
      defaultLanguage: 'de',
      elements: [intro, { ...satisfaction, min: 5, max: 1 }, ...rest],
      rules: [...(valid.rules as unknown[]), { elementId: 'use-again', when: { op: 'any' }, then: { goTo: 'nowhere' } }],
      texts: { ...(valid.texts as Record<string, unknown>), completion: { en: ' ' } },
    };
    const expected = validateSurveyDefinition(JSON.parse(JSON.stringify(broken)));
    expect(expected.ok).toBe(false);

    const res = await api.request('PUT', '/v1/surveys/csat-broken', broken);
    expect(res.statusCode).toBe(400);
    const body = res.json() as { error: string; problems: string[] };
    expect(body.error).toBe('invalid survey definition');
    expect(body.problems).toEqual(expected.ok ? [] : expected.problems);
    const all = body.problems.join('\n');
    expect(all).toMatch(/^defaultLanguage: /m);
    expect(all).toMatch(/^elements\[1\] \("satisfaction"\): scale min \(5\) must be less than max \(1\)/m);
    expect(all).toMatch(/^rules\[2\]\.then\.goTo: no element has the id "nowhere"/m);
    expect(all).toMatch(/^texts\.completion\.en: text is empty/m);
    expect(body.problems.length).toBeGreaterThanOrEqual(4);

    expect(await db.surveys.latest('csat-broken')).toBeNull();

    const notAnObject = await api.request('PUT', '/v1/surveys/csat-broken', [1, 2, 3]);
    expect(notAnObject.statusCode).toBe(400);
    expect(notAnObject.json().error).toBe('invalid survey definition');
  });

  it("answers 400 naming id when the body's id is not the URL's, and saves under neither", async () => {
    const res = await api.request('PUT', '/v1/surveys/csat-url-id', csat('csat-body-id'));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid survey definition',
      problems: ['id: "csat-body-id" does not match the survey id in the URL ("csat-url-id")'],
    });

    // Also reported alongside the definition's own problems.
    const both = await api.request('PUT', '/v1/surveys/csat-url-id', csat('csat-body-id', { languages: [] }));
    expect(both.statusCode).toBe(400);
    expect(both.json().problems.join('\n')).toMatch(/^id: "csat-body-id" does not match/m);
    expect(both.json().problems.join('\n')).toMatch(/^languages: /m);

    expect(await db.surveys.latest('csat-url-id')).toBeNull();
    expect(await db.surveys.latest('csat-body-id')).toBeNull();
  });
});

describe('GET /v1/surveys', () => {
  it('gets the latest version, a given version, the list of surveys, and 404 for what does not exist', async () => {
    const original = csat('csat-get');
    expect((await api.request('PUT', '/v1/surveys/csat-get', original)).statusCode).toBe(201);
    expect((await api.request('PUT', '/v1/surveys/csat-get', { ...original, name: 'Second version', languages: ['no', 'en'] })).statusCode).toBe(201);
    expect((await api.request('PUT', '/v1/surveys/nps-support', example('nps'))).statusCode).toBe(201);

    const latest = await api.request('GET', '/v1/surveys/csat-get');
    expect(latest.statusCode).toBe(200);
    const latestBody = latest.json();
    expect(latestBody).toEqual({
      surveyId: 'csat-get',
      version: 2,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      definition: expect.objectContaining({ id: 'csat-get', name: 'Second version', languages: ['no', 'en'], elements: original.elements }),
    });
    expect(Math.abs(Date.parse(latestBody.createdAt) - Date.now())).toBeLessThan(60_000);

    const v1 = await api.request('GET', '/v1/surveys/csat-get/versions/1');
    expect(v1.statusCode).toBe(200);
    expect(v1.json()).toMatchObject({ surveyId: 'csat-get', version: 1, definition: { name: original.name, languages: ['en', 'no'] } });
    expect(validateSurveyDefinition(v1.json().definition).ok).toBe(true);

    const list = await api.request('GET', '/v1/surveys');
    expect(list.statusCode).toBe(200);
    const surveys = (list.json() as { surveys: { surveyId: string }[] }).surveys;
    expect(surveys.find((s) => s.surveyId === 'csat-get')).toEqual({
      surveyId: 'csat-get',
      version: 2,
      name: 'Second version',
      languages: ['no', 'en'],
      createdAt: latestBody.createdAt,
    });
    expect(surveys.find((s) => s.surveyId === 'nps-support')).toMatchObject({ version: 1, name: example('nps').name, languages: example('nps').languages });
    expect(new Set(surveys.map((s) => s.surveyId)).size).toBe(surveys.length);

    const unknown = await api.request('GET', '/v1/surveys/no-such-survey');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: 'survey no-such-survey not found' });
    const noVersion = await api.request('GET', '/v1/surveys/csat-get/versions/3');
    expect(noVersion.statusCode).toBe(404);
    expect(noVersion.json()).toEqual({ error: 'survey csat-get version 3 not found' });
    const badVersion = await api.request('GET', '/v1/surveys/csat-get/versions/latest');
    expect(badVersion.statusCode).toBe(400);
    expect(badVersion.json().problems).toEqual([expect.stringMatching(/^version: /)]);
  });
});

describe('SURVEYS_DIR', () => {
  async function surveysDir(files: Record<string, unknown>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'surveys-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    for (const [name, content] of Object.entries(files)) {
      await writeFile(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    }
    return dir;
  }

  async function start(dir: string, database: Database): Promise<GatewayHandle> {
    const { prefix, brokers } = await createTestTopics();
    cleanups.push(() => deleteTestTopics(prefix, brokers));
    const config = loadGatewayConfig({
      PORT: '0',
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      DATABASE_URL: database.url,
      API_KEYS: API_KEY,
      SURVEYS_DIR: dir,
    });
    const gateway = await startGateway(config, silentLogger());
    cleanups.push(() => gateway.stop());
    return gateway;
  }

  async function listed(gateway: GatewayHandle): Promise<{ surveyId: string; version: number; name: string }[]> {
    await expect
      .poll(async () => (await fetch(`${gateway.url}/readyz`)).status, { timeout: 30_000, interval: 200 })
      .toBe(200);
    const res = await fetch(`${gateway.url}/v1/surveys`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { surveys: { surveyId: string; version: number; name: string }[] }).surveys;
  }

  it('saves every valid file at start (once: an unchanged file keeps its version), and GET lists it', async () => {
    const database = await openDatabase();
    cleanups.push(() => database.close());
    const dir = await surveysDir({ 'nps.json': example('nps'), 'README.md': 'not a survey' });

    const gateway = await start(dir, database);
    expect(await listed(gateway)).toEqual([expect.objectContaining({ surveyId: 'nps-support', version: 1, name: example('nps').name })]);
    await gateway.stop();

    // Started again with the same file: nothing new. With a changed file: a new version.
    expect(await listed(await start(dir, database))).toEqual([expect.objectContaining({ surveyId: 'nps-support', version: 1 })]);
    await writeFile(join(dir, 'nps.json'), JSON.stringify({ ...example('nps'), name: 'NPS, revised' }));
    expect(await listed(await start(dir, database))).toEqual([expect.objectContaining({ surveyId: 'nps-support', version: 2, name: 'NPS, revised' })]);
  });

  it('refuses to start when a file is invalid, naming the file and every problem, and saves none of the files', async () => {
    const database = await openDatabase();
    cleanups.push(() => database.close());
    const broken = { ...example('csat-en-no'), defaultLanguage: 'de', languages: [] };
    const dir = await surveysDir({ 'a-valid.json': example('nps'), 'b-broken.json': broken, 'c-not-json.json': '{ "id": ' });
    const expected = validateSurveyDefinition(broken);
    expect(expected.ok).toBe(false);

    const error = await start(dir, database).then(
      () => expect.unreachable('the gateway started with an invalid survey file'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    const brokenFile = join(dir, 'b-broken.json');
    expect(problems.filter((p) => p.startsWith(`${brokenFile}: `))).toEqual(expected.ok ? [] : expected.problems.map((p) => `${brokenFile}: ${p}`));
    expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^${join(dir, 'c-not-json.json').replace(/[.]/g, '\\.')}: not valid JSON`)));
    expect(problems.some((p) => p.includes('a-valid.json'))).toBe(false);
    expect(message).toContain(brokenFile);
    expect(message).toContain('defaultLanguage');

    expect(await database.surveys.listLatest()).toEqual([]);
  });

  it('refuses to start when SURVEYS_DIR cannot be read', async () => {
    const database = await openDatabase();
    cleanups.push(() => database.close());
    const missing = join(tmpdir(), 'no-such-surveys-dir-' + process.pid);
    await expect(start(missing, database)).rejects.toThrow(/SURVEYS_DIR: cannot read the directory/);
  });
});
