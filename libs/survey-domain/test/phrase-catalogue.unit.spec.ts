import { describe, expect, it } from 'vitest';
import { countSegments } from '@sms-survey/sms-domain';
import {
  CATALOGUE_LANGUAGES,
  PHRASE_CATALOGUE,
  PHRASE_KEYS,
  TEMPLATE_PLACEHOLDERS,
  TEXT_KEYS,
  type PhraseKey,
  normalizeReplyWord,
} from '../src/index.js';

/** The languages issue 15 asks the catalogue to ship. */
const SHIPPED = ['en', 'no', 'sv', 'da', 'fi', 'de', 'fr', 'es', 'nl', 'pt'];
/** Languages whose phrases can be written in GSM-7 (160 characters a segment); Spanish and Portuguese need á, ã, ú… */
const GSM7_LANGUAGES = ['en', 'no', 'sv', 'da', 'fi', 'de', 'fr', 'nl'];

const everyPhrase = SHIPPED.flatMap((language) => PHRASE_KEYS.map((key) => [language, key] as [string, PhraseKey]));

describe('the phrase catalogue', () => {
  it('given the catalogue, then it ships exactly the required languages (at least)', () => {
    expect(CATALOGUE_LANGUAGES).toEqual(expect.arrayContaining(SHIPPED));
  });

  it.each(everyPhrase)('given %s, then the phrase %s is there and not blank', (language, key) => {
    const value = PHRASE_CATALOGUE[language]?.[key];
    expect(value, `${language}.${key}`).toBeDefined();
    if (typeof value === 'string') expect(value.trim()).not.toBe('');
    else expect(value!.filter((word) => normalizeReplyWord(word) !== '').length).toBeGreaterThan(0);
  });

  it.each(SHIPPED)('given %s, then it has no phrase the engine does not know', (language) => {
    expect(Object.keys(PHRASE_CATALOGUE[language]!).sort()).toEqual([...PHRASE_KEYS].sort());
  });

  it('the survey texts are phrases too', () => {
    expect(PHRASE_KEYS).toEqual(expect.arrayContaining([...TEXT_KEYS]));
  });

  it.each(SHIPPED)('given %s, then each template has exactly its placeholders', (language) => {
    for (const [key, placeholders] of Object.entries(TEMPLATE_PLACEHOLDERS)) {
      const template = PHRASE_CATALOGUE[language]![key as keyof typeof TEMPLATE_PLACEHOLDERS];
      const used = [...template.matchAll(/\{([^{}]*)\}/g)].map((match) => match[1]).sort();
      expect(used, `${language}.${key}`).toEqual([...placeholders].sort());
    }
  });

  it.each(GSM7_LANGUAGES)('given %s, then every phrase is GSM-7 and fits one SMS', (language) => {
    for (const key of PHRASE_KEYS) {
      const value = PHRASE_CATALOGUE[language]![key];
      for (const text of typeof value === 'string' ? [value] : value) {
        expect(countSegments(text), `${language}.${key}: ${text}`).toMatchObject({ encoding: 'GSM-7', segments: 1 });
      }
    }
  });

  it.each(['es', 'pt'])('given %s (UCS-2), then every phrase fits two segments and each instruction one', (language) => {
    for (const key of PHRASE_KEYS) {
      const value = PHRASE_CATALOGUE[language]![key];
      if (typeof value !== 'string') continue;
      const limit = (TEXT_KEYS as readonly string[]).includes(key) ? 2 : 1;
      expect(countSegments(value).segments, `${language}.${key}: ${value}`).toBeLessThanOrEqual(limit);
    }
  });

  it.each(SHIPPED)('given %s, then no reply word means both yes and no, in it or in any other language', (language) => {
    const yes = new Set(PHRASE_CATALOGUE[language]!.yesWords.map(normalizeReplyWord));
    for (const other of CATALOGUE_LANGUAGES) {
      for (const word of PHRASE_CATALOGUE[other]!.noWords.map(normalizeReplyWord)) {
        expect(yes.has(word), `"${word}" is yes in ${language} and no in ${other}`).toBe(false);
      }
    }
  });

  it.each(SHIPPED)('given %s, then the yes-no instruction names a yes word and a no word the parser accepts', (language) => {
    const phrases = PHRASE_CATALOGUE[language]!;
    const named = normalizeReplyWord(phrases.yesNoInstruction).split(/[^\p{L}]+/u);
    expect(named).toContain(normalizeReplyWord(phrases.yesWords[0]!));
    expect(named).toContain(normalizeReplyWord(phrases.noWords[0]!));
  });
});
