import { describe, expect, it } from 'vitest';
import { LanguagePreference, LanguageTag, SendSurveyRequest, canonicalLanguageTag, languagePreference } from '../src/index.js';

describe('canonicalLanguageTag', () => {
  it.each([
    ['en', 'en'],
    ['EN', 'en'],
    ['en-gb', 'en-GB'],
    ['EN-GB', 'en-GB'],
    ['pt-br', 'pt-BR'],
    ['nb', 'nb'],
    ['zh-hant-tw', 'zh-Hant-TW'],
    ['SR-LATN', 'sr-Latn'],
    ['es-419', 'es-419'],
    ['de-CH-1996', 'de-CH-1996'],
    ['sl-rozaj-biske', 'sl-rozaj-biske'],
    ['zh-yue-HK', 'zh-yue-HK'],
    ['en-US-u-CA-GREGORY', 'en-US-u-ca-gregory'],
    ['az-Latn-x-LATN', 'az-Latn-x-latn'],
    ['tlh', 'tlh'],
  ])('given the well-formed tag %s, then its canonical case is %s', (tag, canonical) => {
    expect(canonicalLanguageTag(tag)).toBe(canonical);
  });

  it.each([
    ['', 'empty'],
    ['e', 'one letter'],
    ['en_GB', 'an underscore'],
    ['en-', 'a trailing hyphen'],
    ['-en', 'a leading hyphen'],
    ['en--GB', 'an empty subtag'],
    ['english!', 'punctuation'],
    ['toolonglanguage', 'a primary subtag of more than 8 letters'],
    ['en-GB-oed', 'a three-letter subtag after the region'],
    ['x-private', 'private use only'],
    ['en-a', 'an extension without subtags'],
    [' en', 'surrounding space'],
    ['de-' + 'abcdefgh-'.repeat(4) + 'x', 'more than 35 characters'],
  ])('given %j (%s), then it is not a tag', (tag) => {
    expect(canonicalLanguageTag(tag)).toBeUndefined();
  });
});

describe('languagePreference (what callers ask for, read leniently)', () => {
  it.each([
    [' sv ', 'sv'],
    ['en_GB', 'en-GB'],
    ['pt_br', 'pt-BR'],
    ['NB-no', 'nb-NO'],
  ])('given %j, then it reads %s', (requested, expected) => {
    expect(languagePreference(requested)).toBe(expected);
  });

  it.each([[undefined], [''], ['12'], ['sv!']])('given %j, then there is no preference', (requested) => {
    expect(languagePreference(requested)).toBeUndefined();
  });
});

describe('LanguageTag and LanguagePreference schemas', () => {
  it('when parsing, then the canonical case comes out and a malformed tag is refused with an example', () => {
    expect(LanguageTag.parse('EN-gb')).toBe('en-GB');
    expect(LanguageTag.safeParse('en_GB').error?.issues[0]?.message).toBe('must be a BCP 47 language tag such as en, en-GB or pt-BR');
    expect(LanguagePreference.parse('en_gb')).toBe('en-GB');
    expect(LanguagePreference.safeParse('x').success).toBe(false);
  });

  it('given a SendSurvey request with a 35-character tag, then it is accepted; with 36 characters, refused', () => {
    const request = { identifier: '+4791234567', identifierType: 'Phone', channel: 'SMS' };
    const tag35 = 'de-CH-1901-abcdefgh-ijklmnop-qrstuv';
    expect(tag35).toHaveLength(35);
    expect(SendSurveyRequest.parse({ ...request, language: tag35.toUpperCase() }).language).toBe(tag35);
    expect(SendSurveyRequest.safeParse({ ...request, language: `${tag35}w` }).success).toBe(false);
    expect(SendSurveyRequest.parse({ ...request, language: 'es_MX' }).language).toBe('es-MX');
  });
});
