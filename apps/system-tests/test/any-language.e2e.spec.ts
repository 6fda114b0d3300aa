import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type PrismaClient } from '@sms-survey/db';
import { eventually } from '@sms-survey/testing';
import { startSystem, startTopicReader, waitUntilReady, type RunningSystem } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const example = (name: string) => JSON.parse(readFileSync(join(here, `../../../examples/surveys/${name}.json`), 'utf8')) as { id: string } & Record<string, unknown>;
const swedish = example('csat-sv');
const spanish = example('csat-es');
const bilingual = example('csat-en-no');
const DEFAULT_SENDER = '+14155550100';
const API_KEY = 'test-api-key';

interface SmsAtTwilio { sid: string; from: string | null; to: string; body: string; dateCreated: string | Date }
interface EventValue { type: string; payload: { sessionId: string; language: string; answer?: { elementId: string; rawReply: string; value: unknown } } }

describe('any language (issue 15 item 4), end to end through the real services: a survey in Swedish and one in Spanish', () => {
  let system: RunningSystem;
  let prisma: PrismaClient;
  let reader: Awaited<ReturnType<typeof startTopicReader>>;

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${system.gateway.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${API_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const sendSurvey = async (surveyId: string, identifier: string, extra: Record<string, unknown> = {}) => {
    const res = await api('POST', `/v1/surveys/${surveyId}/send`, { identifier, identifierType: 'Phone', channel: 'SMS', ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body.sessionId as string;
  };
  const smsTo = (customer: string): SmsAtTwilio[] =>
    system.simulator.state.messages.filter((m) => m.direction === 'outbound-api' && m.to === customer) as SmsAtTwilio[];
  const waitForSms = (customer: string, count: number) =>
    eventually(() => (smsTo(customer).length >= count ? smsTo(customer) : undefined), { what: `${count} SMS to ${customer}`, timeoutMs: 30_000 });
  const reply = (customer: string, to: string, body: string) =>
    system.simulator.sendInboundSms({ from: customer, to, body, url: `${system.gateway.url}/twilio/messaging/inbound` });
  const topic = (name: string) => system.topicPrefix + name;
  const eventsOf = (name: string, sessionId: string) =>
    reader.messages(topic(name)).map((m) => m.value as EventValue).filter((value) => value.payload.sessionId === sessionId);

  beforeAll(async () => {
    system = await startSystem({ API_KEYS: API_KEY, SMS_SENDER_NUMBER: DEFAULT_SENDER, EXPIRY_CHECK_INTERVAL_MS: '200' });
    prisma = createPrismaClient({ databaseUrl: system.database.url });
    await waitUntilReady(system);
    reader = await startTopicReader(system.env.KAFKA_BROKERS!.split(','), [topic('survey.answers.v1'), topic('survey.sessions.v1')]);
    for (const survey of [swedish, spanish, bilingual]) {
      const saved = await api('PUT', `/v1/surveys/${survey.id}`, survey);
      expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    }
  });

  afterAll(async () => {
    await reader?.stop();
    await prisma?.$disconnect();
    await system?.stop();
  });

  it('runs the Swedish survey: catalogue phrases, a Swedish invalid-reply text, "ja" understood, completion, results in sv', async () => {
    const customer = '+46701234567';
    // sv-SE falls back to the survey's sv.
    const sessionId = await sendSurvey(swedish.id, customer, { language: 'sv-SE' });

    const [intro, question] = await waitForSms(customer, 2);
    expect(intro!.body).toBe('Tack för att du ringde oss i dag. Vi vill gärna ställa två korta frågor.');
    expect(question!.body).toBe('Hur nöjd är du med hjälpen du fick?\n1 = Mycket missnöjd\n5 = Mycket nöjd\nSvara med ett tal från 1 till 5.');
    expect(intro!.from).toBe(DEFAULT_SENDER);
    expect((await prisma.surveySession.findUnique({ where: { id: sessionId } }))?.language).toBe('sv');

    await reply(customer, DEFAULT_SENDER, '4');
    const [, , yesNo] = await waitForSms(customer, 3);
    expect(yesNo!.body).toBe('Skulle du välja oss igen?\nSvara JA eller NEJ.');

    await reply(customer, DEFAULT_SENDER, 'kanske');
    const [, , , again] = await waitForSms(customer, 4);
    expect(again!.body).toBe('Tyvärr förstod vi inte ditt svar.\n\nSkulle du välja oss igen?\nSvara JA eller NEJ.');

    await reply(customer, DEFAULT_SENDER, 'ja');
    const [, , , , done] = await waitForSms(customer, 5);
    expect(done!.body).toBe('Tack för din feedback! Ha en fin dag.');
    await eventually(async () => (await prisma.surveySession.findUnique({ where: { id: sessionId } }))?.status === 'completed', { what: 'completed' });

    const answers = await eventually(() => {
      const found = eventsOf('survey.answers.v1', sessionId);
      return found.length >= 2 ? found : undefined;
    }, { what: 'answer events' });
    expect(answers.map((a) => a.payload.answer)).toEqual([
      expect.objectContaining({ elementId: 'satisfaction', value: 4 }),
      expect.objectContaining({ elementId: 'use-again', rawReply: 'ja', value: true }),
    ]);
    const ended = await eventually(() => eventsOf('survey.sessions.v1', sessionId)[0], { what: 'session-ended event' });
    expect(ended).toMatchObject({ type: 'survey.session.ended', payload: { status: 'completed', language: 'sv' } });
  });

  it('runs the Spanish survey: catalogue phrases, "sí" understood, the survey\'s own completion phrase, results in es', async () => {
    const customer = '+34612345678';
    // es-MX falls back to the survey's es.
    const sessionId = await sendSurvey(spanish.id, customer, { language: 'es-MX' });

    const [intro, question] = await waitForSms(customer, 2);
    expect(intro!.body).toBe('Gracias por llamarnos hoy. Nos gustaría hacerle dos preguntas breves.');
    expect(question!.body).toBe(
      '¿Cuál es su grado de satisfacción con la ayuda recibida?\n1 = Muy insatisfecho\n5 = Muy satisfecho\nResponda con un número del 1 al 5.',
    );

    await reply(customer, DEFAULT_SENDER, '5');
    const [, , yesNo] = await waitForSms(customer, 3);
    expect(yesNo!.body).toBe('¿Volvería a contactarnos?\nResponda SÍ o NO.');

    await reply(customer, DEFAULT_SENDER, 'sí');
    const [, , , done] = await waitForSms(customer, 4);
    expect(done!.body).toBe('¡Gracias por su opinión! Que tenga un buen día.');
    await eventually(async () => (await prisma.surveySession.findUnique({ where: { id: sessionId } }))?.status === 'completed', { what: 'completed' });

    const answers = await eventually(() => {
      const found = eventsOf('survey.answers.v1', sessionId);
      return found.length >= 2 ? found : undefined;
    }, { what: 'answer events' });
    expect(answers.map((a) => a.payload.answer)).toEqual([
      expect.objectContaining({ elementId: 'satisfaction', value: 5 }),
      expect.objectContaining({ elementId: 'use-again', rawReply: 'sí', value: true }),
    ]);
    const ended = await eventually(() => eventsOf('survey.sessions.v1', sessionId)[0], { what: 'session-ended event' });
    expect(ended).toMatchObject({ payload: { status: 'completed', language: 'es' } });

    // A reply after the end gets the catalogue's Spanish "unavailable" text.
    await reply(customer, DEFAULT_SENDER, 'hola');
    const [, , , , unavailable] = await waitForSms(customer, 5);
    expect(unavailable!.body).toBe('Esta encuesta ya no está disponible. ¡Gracias!');
  });

  it('falls back nb → no: a survey in en and no sent with language nb-NO is texted in Norwegian', async () => {
    const customer = '+4791000077';
    const sessionId = await sendSurvey(bilingual.id, customer, { language: 'nb-NO' });
    const [intro, question] = await waitForSms(customer, 2);
    expect(intro!.body).toContain('Takk for at du ringte');
    expect(question!.body).toMatch(/Svar med et tall fra 1 til 5\.$/);
    expect((await prisma.surveySession.findUnique({ where: { id: sessionId } }))?.language).toBe('no');
  });

  it('refuses to save a survey in a language without phrases, naming what is missing', async () => {
    const klingon = { ...swedish, id: 'csat-tlh', defaultLanguage: 'tlh', languages: ['tlh'] };
    const retagged = JSON.parse(JSON.stringify(klingon).replaceAll('"sv":', '"tlh":'));
    const res = await api('PUT', '/v1/surveys/csat-tlh', retagged);
    expect(res.status).toBe(400);
    expect((res.body.problems as string[])[0]).toMatch(
      /^languages\[0\]: "tlh" lacks phrases this survey needs: scaleInstruction, scaleLabel, yesNoInstruction, yesWords, noWords, unavailable, notFound, invalidReply, tooManyInvalid; give them in phrases\.tlh/,
    );
  });
});
