import { describe, expect, it } from 'vitest';
import {
  type SurveyDefinition,
  type SurveyDefinitionInput,
  handleReply,
  parseReply,
  renderElement,
  startSurvey,
  surveyText,
} from '../src/index.js';
import { NOW, loadExample, parseValid } from './fixtures.js';

/** Swedish (default) and Spanish, no survey texts: every built-in word comes from the catalogue. */
function swedishAndSpanish(change: (survey: SurveyDefinitionInput) => void = () => {}): SurveyDefinition {
  const survey: SurveyDefinitionInput = {
    id: 'sv-es',
    name: 'Swedish and Spanish',
    defaultLanguage: 'sv',
    languages: ['sv', 'es'],
    elements: [
      {
        id: 'rating',
        type: 'scale',
        min: 1,
        max: 5,
        text: { sv: 'Hur nöjd är du?', es: '¿Está satisfecho?' },
        minLabel: { sv: 'Inte alls', es: 'Nada' },
        maxLabel: { sv: 'Mycket', es: 'Mucho' },
      },
      { id: 'nps', type: 'nps', text: { sv: 'Skulle du rekommendera oss?', es: '¿Nos recomendaría?' } },
      { id: 'again', type: 'yes-no', text: { sv: 'Skulle du välja oss igen?', es: '¿Volvería a contactarnos?' } },
      {
        id: 'channel',
        type: 'dropdown',
        text: { sv: 'Hur kontaktade du oss?', es: '¿Cómo nos contactó?' },
        options: [{ text: { sv: 'Telefon', es: 'Teléfono' } }, { text: { sv: 'Chatt', es: 'Chat' } }],
      },
      {
        id: 'topics',
        type: 'multiple-choice',
        text: { sv: 'Vad kan vi bli bättre på?', es: '¿Qué podemos mejorar?' },
        options: [{ text: { sv: 'Väntetid', es: 'Espera' } }, { text: { sv: 'Bemötande', es: 'Trato' } }],
      },
      { id: 'comment', type: 'free-text', text: { sv: 'Något mer?', es: '¿Algo más?' } },
    ],
  };
  change(survey);
  return parseValid(survey);
}

const element = (survey: SurveyDefinition, id: string) => survey.elements.find((candidate) => candidate.id === id)!;

describe('rendering questions in Swedish and Spanish from the catalogue', () => {
  const survey = swedishAndSpanish();

  it.each([
    ['rating', 'sv', 'Hur nöjd är du?\n1 = Inte alls\n5 = Mycket\nSvara med ett tal från 1 till 5.'],
    ['rating', 'es', '¿Está satisfecho?\n1 = Nada\n5 = Mucho\nResponda con un número del 1 al 5.'],
    ['nps', 'sv', 'Skulle du rekommendera oss?\nSvara med ett tal från 0 till 10.'],
    ['nps', 'es', '¿Nos recomendaría?\nResponda con un número del 0 al 10.'],
    ['again', 'sv', 'Skulle du välja oss igen?\nSvara JA eller NEJ.'],
    ['again', 'es', '¿Volvería a contactarnos?\nResponda SÍ o NO.'],
    ['channel', 'sv', 'Hur kontaktade du oss?\n1) Telefon\n2) Chatt\nSvara med numret för ditt val.'],
    ['channel', 'es', '¿Cómo nos contactó?\n1) Teléfono\n2) Chat\nResponda con el número de su elección.'],
    ['topics', 'sv', 'Vad kan vi bli bättre på?\n1) Väntetid\n2) Bemötande\nSvara med ett eller flera nummer åtskilda med komma, t.ex. 1,3.'],
    ['topics', 'es', '¿Qué podemos mejorar?\n1) Espera\n2) Trato\nResponda con uno o más números separados por comas, p. ej. 1,3.'],
  ])('given a survey in sv and es, when %s is rendered in %s, then the SMS is in that language', (id, language, expected) => {
    expect(renderElement(element(survey, id), language, survey)).toBe(expected);
  });

  it('given no survey texts, when the survey ends, then the catalogue texts are sent in the session language', () => {
    expect(surveyText(survey, 'completion', 'sv')).toBe('Tack för dina svar!');
    expect(surveyText(survey, 'completion', 'es')).toBe('¡Gracias por su opinión!');
    expect(surveyText(survey, 'unavailable', 'es-MX')).toBe('Esta encuesta ya no está disponible. ¡Gracias!');
  });

  it('given an invalid reply in Spanish, when handled, then the catalogue error text goes in front of the question', () => {
    const decision = handleReply(survey, { status: 'active', currentElementId: 'again', language: 'es', invalidReplies: 0 }, 'quizás', { now: NOW });
    expect(decision.outgoing.map((sms) => sms.body)).toEqual([
      'Lo sentimos, no entendimos su respuesta.\n\n¿Volvería a contactarnos?\nResponda SÍ o NO.',
    ]);
  });

  it('given the last allowed invalid reply in Swedish, when handled, then the session ends with the catalogue text', () => {
    const decision = handleReply(survey, { status: 'active', currentElementId: 'again', language: 'sv', invalidReplies: 2 }, 'kanske', { now: NOW });
    expect(decision.kind).toBe('ended-invalid');
    expect(decision.outgoing.map((sms) => sms.body)).toEqual(['Vi förstod inte dina svar, så vi har avslutat enkäten. Tack för din tid.']);
  });
});

describe('yes/no replies per language', () => {
  const yesNo = { id: 'yn', type: 'yes-no', text: { en: 'Question' } } as const;

  it.each([
    ['sv', 'ja', true],
    ['sv', 'Ja!', true],
    ['sv', 'jo', true],
    ['sv', 'nej', false],
    ['sv', 'NEJ.', false],
    ['es', 'sí', true],
    ['es', 'si', true],
    ['es', 'Sí', true],
    ['es', '¡Sí!', true],
    ['es', 'SI', true],
    ['es', 'no', false],
    ['pt', 'sim', true],
    ['pt', 'não', false],
    ['pt', 'NAO', false],
    ['fi', 'kyllä', true],
    ['fi', 'KYLLA', true],
    ['fi', 'joo', true],
    ['fi', 'ei', false],
    ['fr', 'oui', true],
    ['fr', 'Non', false],
    ['de', 'ja', true],
    ['de', 'nein', false],
    ['nl', 'ja', true],
    ['nl', 'nee', false],
    ['da', 'ja', true],
    ['da', 'nej', false],
    ['no', 'ja', true],
    ['no', 'nei', false],
    ['en', 'yes', true],
    ['en', 'no', false],
  ])('given a session in %s, when the customer replies %j, then the answer is %s', (language, reply, value) => {
    expect(parseReply(yesNo, reply, language)).toEqual({ ok: true, value });
  });

  it.each([
    ['sv', 'yes', true],
    ['es', 'ja', true],
    ['en', 'sí', true],
    ['fi', 'nein', false],
  ])('given a session in %s, when the customer answers %j in another language, then it is understood (%s)', (language, reply, value) => {
    expect(parseReply(yesNo, reply, language)).toEqual({ ok: true, value });
  });

  it.each([['sv', 'kanske'], ['es', 'quizás'], ['es', 'sí no'], ['fi', 'ehkä']])('given a session in %s, when the customer replies %j, then it is not valid', (language, reply) => {
    expect(parseReply(yesNo, reply, language)).toEqual({ ok: false });
  });

  it('given Swedish replies to the Swedish example, when answered "ja", then the survey completes in Swedish', () => {
    const csat = parseValid(loadExample('csat-sv.json'));
    const start = startSurvey(csat, { now: NOW });
    expect(start.language).toBe('sv');
    expect(start.outgoing.map((sms) => sms.body)).toEqual([
      'Tack för att du ringde oss i dag. Vi vill gärna ställa två korta frågor.',
      'Hur nöjd är du med hjälpen du fick?\n1 = Mycket missnöjd\n5 = Mycket nöjd\nSvara med ett tal från 1 till 5.',
    ]);
    const good = handleReply(csat, start.state, '4', { now: NOW });
    expect(good.outgoing.map((sms) => sms.body)).toEqual(['Skulle du välja oss igen?\nSvara JA eller NEJ.']);
    const done = handleReply(csat, good.state, 'ja', { now: NOW });
    expect(done).toMatchObject({ kind: 'answered', completed: true, answer: { elementId: 'use-again', value: true } });
    expect(done.outgoing.map((sms) => sms.body)).toEqual(['Tack för din feedback! Ha en fin dag.']);
  });

  it('given the Spanish example, when answered "sí", then the survey completes with its own completion phrase', () => {
    const csat = parseValid(loadExample('csat-es.json'));
    const start = startSurvey(csat, { language: 'es-MX', now: NOW });
    expect(start.language).toBe('es');
    expect(start.outgoing[1]!.body).toBe(
      '¿Cuál es su grado de satisfacción con la ayuda recibida?\n1 = Muy insatisfecho\n5 = Muy satisfecho\nResponda con un número del 1 al 5.',
    );
    const good = handleReply(csat, start.state, '5', { now: NOW });
    expect(good.outgoing.map((sms) => sms.body)).toEqual(['¿Volvería a contactarnos?\nResponda SÍ o NO.']);
    const done = handleReply(csat, good.state, 'sí', { now: NOW });
    expect(done).toMatchObject({ kind: 'answered', completed: true, answer: { elementId: 'use-again', rawReply: 'sí', value: true } });
    expect(done.outgoing.map((sms) => sms.body)).toEqual(['¡Gracias por su opinión! Que tenga un buen día.']);
  });
});

describe("a survey's own phrases win", () => {
  it('given Swedish overrides, when rendered, then they replace the catalogue phrases and the rest still come from it', () => {
    const survey = swedishAndSpanish((s) => {
      s.phrases = {
        sv: {
          yesNoInstruction: 'Svara gärna JA eller NEJ.',
          choiceOption: '{number}. {text}',
          scaleInstruction: 'Välj {min}–{max}.',
          completion: 'Stort tack!',
        },
      };
    });
    expect(renderElement(element(survey, 'again'), 'sv', survey)).toBe('Skulle du välja oss igen?\nSvara gärna JA eller NEJ.');
    expect(renderElement(element(survey, 'channel'), 'sv', survey)).toBe('Hur kontaktade du oss?\n1. Telefon\n2. Chatt\nSvara med numret för ditt val.');
    expect(renderElement(element(survey, 'nps'), 'sv', survey)).toBe('Skulle du rekommendera oss?\nVälj 0–10.');
    expect(surveyText(survey, 'completion', 'sv')).toBe('Stort tack!');
    // Spanish has no overrides: the catalogue.
    expect(renderElement(element(survey, 'again'), 'es', survey)).toBe('¿Volvería a contactarnos?\nResponda SÍ o NO.');
  });

  it('given survey texts, when a text is sent, then the survey text beats the catalogue', () => {
    const survey = swedishAndSpanish((s) => {
      s.texts = { completion: { sv: 'Tack så mycket!' } };
    });
    expect(surveyText(survey, 'completion', 'sv')).toBe('Tack så mycket!');
    expect(surveyText(survey, 'completion', 'es')).toBe('¡Gracias por su opinión!');
  });

  it('given custom yes/no words, when replied, then they count, and a custom word beats another language', () => {
    const survey = swedishAndSpanish((s) => {
      s.phrases = { sv: { yesWords: ['absolut', 'ja'], noWords: ['nej', 'aldrig', 'si'] } };
    });
    const again = element(survey, 'again');
    expect(parseReply(again, 'Absolut!', 'sv', survey)).toEqual({ ok: true, value: true });
    expect(parseReply(again, 'aldrig', 'sv', survey)).toEqual({ ok: true, value: false });
    // "si" is yes in Spanish, but this survey's Swedish makes it no.
    expect(parseReply(again, 'si', 'sv', survey)).toEqual({ ok: true, value: false });
    expect(parseReply(again, 'si', 'es', survey)).toEqual({ ok: true, value: true });
  });

  it('given an override for en, when the session is in en-GB, then the override applies (the region falls back to the language)', () => {
    const survey = parseValid({
      id: 'british',
      name: 'British',
      defaultLanguage: 'en',
      languages: ['en', 'en-GB'],
      elements: [{ id: 'q', type: 'yes-no', text: { en: 'Happy?' } }],
      phrases: { en: { yesNoInstruction: 'Reply Y or N.' } },
    });
    expect(renderElement(survey.elements[0]!, 'en-GB', survey)).toBe('Happy?\nReply Y or N.');
  });
});

describe('regional and alias languages fall back to the catalogue language', () => {
  it.each([
    ['en-GB', 'Reply YES or NO.', 'Thank you for your feedback!'],
    ['pt-BR', 'Responda SIM ou NÃO.', 'Obrigado pela sua opinião!'],
    ['nb', 'Svar JA eller NEI.', 'Takk for tilbakemeldingen!'],
    ['nn', 'Svar JA eller NEI.', 'Takk for tilbakemeldingen!'],
    ['es-MX', 'Responda SÍ o NO.', '¡Gracias por su opinión!'],
    ['de-AT', 'Antworten Sie mit JA oder NEIN.', 'Vielen Dank für Ihr Feedback!'],
  ])('given a survey in %s only, then its phrases are the catalogue language’s', (language, instruction, completion) => {
    const survey = parseValid({
      id: 'regional',
      name: 'Regional',
      defaultLanguage: language,
      languages: [language],
      elements: [{ id: 'q', type: 'yes-no', text: { [language]: 'Q?' } }],
    });
    expect(renderElement(survey.elements[0]!, language, survey)).toBe(`Q?\n${instruction}`);
    expect(surveyText(survey, 'completion', language)).toBe(completion);
  });

  it('given a survey in pt-BR, when the customer replies "nao", then it is no', () => {
    const survey = parseValid({
      id: 'br',
      name: 'BR',
      defaultLanguage: 'pt-BR',
      languages: ['pt-BR'],
      elements: [{ id: 'q', type: 'yes-no', text: { 'pt-BR': 'Q?' } }],
    });
    expect(parseReply(survey.elements[0]!, 'nao', 'pt-BR', survey)).toEqual({ ok: true, value: false });
  });
});
