import { describe, expect, it } from 'vitest';
import { type SurveyDefinitionInput, languageFallbacks, matchLanguage, resolveLanguage, startSurvey } from '../src/index.js';
import { NOW, parseValid } from './fixtures.js';

function surveyIn(languages: string[], defaultLanguage = languages[0]!): SurveyDefinitionInput {
  const text = Object.fromEntries(languages.map((language) => [language, `Question (${language})`]));
  return {
    id: 'languages',
    name: 'Languages',
    defaultLanguage,
    languages,
    elements: [{ id: 'q', type: 'free-text', text }],
  };
}

describe('languageFallbacks', () => {
  it.each([
    ['en', ['en']],
    ['en-GB', ['en-GB', 'en']],
    ['pt-BR', ['pt-BR', 'pt']],
    ['nb', ['nb', 'no']],
    ['nn', ['nn', 'no']],
    ['nb-NO', ['nb-NO', 'nb', 'no-NO', 'no']],
    ['no', ['no']],
    ['zh-Hant-TW', ['zh-Hant-TW', 'zh-Hant', 'zh']],
    ['de-CH-1996', ['de-CH-1996', 'de-CH', 'de']],
    ['en-US-u-ca-gregory', ['en-US-u-ca-gregory', 'en-US-u-ca', 'en-US', 'en']],
    ['swe', ['swe', 'sv']],
  ])('given %s, then the tags looked for are %j', (tag, expected) => {
    expect(languageFallbacks(tag)).toEqual(expected);
  });
});

describe('resolveLanguage: which of the survey languages a session uses', () => {
  const survey = parseValid(surveyIn(['en', 'no', 'sv', 'es', 'pt-BR']));

  it.each([
    ['nb', 'no'],
    ['nn', 'no'],
    ['nb-NO', 'no'],
    ['NO', 'no'],
    ['en-GB', 'en'],
    ['EN-gb', 'en'],
    ['en_GB', 'en'],
    ['sv-SE', 'sv'],
    ['sv-FI', 'sv'],
    ['es-MX', 'es'],
    ['es-419', 'es'],
    ['pt-BR', 'pt-BR'],
    ['pt', 'pt-BR'],
    ['pt-PT', 'pt-BR'],
    ['de', 'en'],
    ['tlh', 'en'],
    ['not a tag', 'en'],
    ['', 'en'],
    [undefined, 'en'],
  ])('given a survey in en, no, sv, es and pt-BR, when %j is asked for, then the session is in %s', (requested, expected) => {
    expect(resolveLanguage(survey, requested)).toBe(expected);
  });

  it('given a survey in en and en-GB, when en-GB, en-AU or en is asked for, then the most specific listed tag wins', () => {
    const both = parseValid(surveyIn(['en', 'en-GB']));
    expect(resolveLanguage(both, 'en-GB')).toBe('en-GB');
    expect(resolveLanguage(both, 'en-gb')).toBe('en-GB');
    expect(resolveLanguage(both, 'en-AU')).toBe('en');
    expect(resolveLanguage(both, 'en')).toBe('en');
  });

  it('given a survey in nb only, when no is asked for, then nb (the same language) is used', () => {
    const bokmal = parseValid(surveyIn(['de', 'nb']));
    expect(resolveLanguage(bokmal, 'no')).toBe('nb');
    expect(resolveLanguage(bokmal, 'nn')).toBe('nb');
  });

  it('given a survey in de only, when sv is asked for, then the default language is used and the session stores it', () => {
    const german = parseValid(surveyIn(['de']));
    const start = startSurvey(german, { language: 'sv', now: NOW });
    expect(start.language).toBe('de');
    expect(start.state.language).toBe('de');
  });
});

describe('matchLanguage', () => {
  it('given nothing offered of the language, then there is no match', () => {
    expect(matchLanguage(['en', 'no'], 'fi')).toBeUndefined();
    expect(matchLanguage(['en', 'no'], undefined)).toBeUndefined();
  });
});
