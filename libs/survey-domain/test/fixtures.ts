import { readFileSync } from 'node:fs';
import { type SurveyDefinition, type SurveyDefinitionInput, validateSurveyDefinition } from '../src/index.js';

export const NOW = new Date('2025-03-04T10:15:00.000Z');

export function loadExample(fileName: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../../examples/surveys/${fileName}`, import.meta.url), 'utf8'));
}

export function parseValid(input: unknown): SurveyDefinition {
  const result = validateSurveyDefinition(input);
  if (!result.ok) throw new Error(`fixture should be valid:\n${result.problems.join('\n')}`);
  return result.survey;
}

export const standardTexts = {
  completion: { en: 'Thank you!', no: 'Takk!' },
  unavailable: { en: 'Survey Unavailable', no: 'Undersøkelsen er ikke tilgjengelig' },
  notFound: { en: 'No survey found.', no: 'Fant ingen undersøkelse.' },
  invalidReply: { en: 'Sorry, that is not a valid answer.', no: 'Beklager, det er ikke et gyldig svar.' },
  tooManyInvalid: { en: 'We have ended the survey. Thank you.', no: 'Vi har avsluttet undersøkelsen. Takk.' },
};

export const englishTexts = {
  completion: { en: 'Thank you!' },
  unavailable: { en: 'Survey Unavailable' },
  notFound: { en: 'No survey found.' },
  invalidReply: { en: 'Sorry, that is not a valid answer.' },
  tooManyInvalid: { en: 'We have ended the survey. Thank you.' },
};

/** English only; by default a single yes-no question. */
export function englishSurvey(
  elements: SurveyDefinitionInput['elements'] = [{ id: 'happy', type: 'yes-no', text: { en: 'Happy?' } }],
): SurveyDefinitionInput {
  return { id: 'english', name: 'English only', defaultLanguage: 'en', languages: ['en'], elements, texts: englishTexts };
}

/**
 * One element of every type, English and Norwegian, no rules; tests add rules or change parts.
 * Order: welcome (text), rating (scale 1–5), nps, yesno, channel (dropdown), topics (multiple-choice),
 * between (text), comment (free-text).
 */
export function everyTypeSurvey(): SurveyDefinitionInput {
  return {
    id: 'every-type',
    name: 'Every element type',
    defaultLanguage: 'en',
    languages: ['en', 'no'],
    elements: [
      { id: 'welcome', type: 'text', text: { en: 'Welcome!', no: 'Velkommen!' } },
      { id: 'rating', type: 'scale', min: 1, max: 5, text: { en: 'Rate us', no: 'Gi oss en karakter' } },
      { id: 'nps', type: 'nps', text: { en: 'Recommend us?', no: 'Anbefale oss?' } },
      { id: 'yesno', type: 'yes-no', text: { en: 'Happy?', no: 'Fornøyd?' } },
      {
        id: 'channel',
        type: 'dropdown',
        text: { en: 'Channel?', no: 'Kanal?' },
        options: [{ text: { en: 'Phone', no: 'Telefon' } }, { text: { en: 'Chat', no: 'Chat' } }],
      },
      {
        id: 'topics',
        type: 'multiple-choice',
        text: { en: 'Topics?', no: 'Temaer?' },
        options: [{ text: { en: 'Price', no: 'Pris' } }, { text: { en: 'Speed', no: 'Fart' } }, { text: { en: 'Staff', no: 'Ansatte' } }],
      },
      { id: 'between', type: 'text', text: { en: 'Almost done.', no: 'Nesten ferdig.' } },
      { id: 'comment', type: 'free-text', text: { en: 'Anything else?', no: 'Noe mer?' } },
    ],
    texts: standardTexts,
  };
}

/**
 * Ten faults at once. Expected problems, in the order the validator reports them:
 * 1 elements[5] reuses the id "yesno"
 * 2 "intro" has a German text, and German is not listed
 * 3 "score" has no English (default language) text
 * 4 "score" has min 5 ≥ max 1
 * 5 "pick" is a dropdown without options
 * 6 rules[0] is on the text element "later"
 * 7 rules[1] uses "lt" on a yes-no element
 * 8 rules[1] goes to "missing"
 * 9 rules[0] loops "intro" → "later" → "intro" through text elements only
 * 10 phrases for German, which is not listed
 */
export const manyFaultsSurvey = {
  id: 'many-faults',
  name: 'Many faults',
  defaultLanguage: 'en',
  languages: ['en', 'no'],
  elements: [
    { id: 'intro', type: 'text', text: { en: 'Hi', de: 'Hallo' } },
    { id: 'later', type: 'text', text: { en: 'Next part' } },
    { id: 'score', type: 'scale', min: 5, max: 1, text: { no: 'Karakter?' } },
    { id: 'yesno', type: 'yes-no', text: { en: 'Happy?' } },
    { id: 'pick', type: 'dropdown', text: { en: 'Pick one' }, options: [] },
    { id: 'yesno', type: 'free-text', text: { en: 'Why?' } },
  ],
  rules: [
    { elementId: 'later', when: { op: 'any' }, then: { goTo: 'intro' } },
    { elementId: 'yesno', when: { op: 'lt', value: 3 }, then: { goTo: 'missing' } },
  ],
  texts: standardTexts,
  phrases: { de: { completion: 'Danke!' } },
};

/** Shape errors (zod) next to meaning errors in the parts that do parse. */
export const shapeAndMeaningFaultsSurvey = {
  id: 'bad id!',
  name: 'Shape faults',
  defaultLanguage: 'en',
  languages: ['en'],
  elements: [
    { id: 'q1', type: 'slider', text: { en: 'Slide' } },
    { id: 'q2', type: 'nps', text: { en: 'Recommend?' } },
  ],
  rules: [{ elementId: 'q2', when: { op: 'equals', value: true }, then: { goTo: 'nowhere' } }],
  texts: { ...englishTexts, notFound: 42 },
};
