import { Text } from './common.js';

/**
 * BCP 47 language tags (RFC 5646): `en`, `en-GB`, `pt-BR`, `zh-Hant-TW`, `de-CH-1996`, `sr-Latn`. Only the syntax
 * is checked (a "well-formed" tag), not the IANA registry: `xx` passes, `en_GB`, `e` and `english!` do not.
 * 35 characters is the length RFC 5646 §4.4.1 asks every implementation to support (language, extlang, script,
 * region and two variants), and what the contracts' language fields carry.
 */
export const LANGUAGE_TAG_MAX_LENGTH = 35;

const LANGTAG = new RegExp(
  '^(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})' + // language, with up to three extlang subtags
    '(?:-[a-z]{4})?' + // script
    '(?:-(?:[a-z]{2}|[0-9]{3}))?' + // region
    '(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*' + // variants
    '(?:-[0-9a-wy-z](?:-[a-z0-9]{2,8})+)*' + // extensions
    '(?:-x(?:-[a-z0-9]{1,8})+)?$', // private use
  'i',
);

export const LANGUAGE_TAG_MESSAGE = 'must be a BCP 47 language tag such as en, en-GB or pt-BR';

/**
 * The tag in its canonical case (RFC 5646 §2.1.1: lowercase; a region uppercase, a script titlecase, except after
 * a singleton such as `-x-`), or undefined when it is not a well-formed tag. Nothing is trimmed or replaced.
 */
export function canonicalLanguageTag(tag: string): string | undefined {
  if (tag.length > LANGUAGE_TAG_MAX_LENGTH || !LANGTAG.test(tag)) return undefined;
  let afterSingleton = false;
  return tag
    .split('-')
    .map((subtag, index) => {
      const lower = subtag.toLowerCase();
      if (index === 0) return lower;
      if (subtag.length === 1) afterSingleton = true;
      if (afterSingleton) return lower;
      if (/^[a-z]{2}$/i.test(subtag)) return lower.toUpperCase();
      if (/^[a-z]{4}$/i.test(subtag)) return lower[0]!.toUpperCase() + lower.slice(1);
      return lower;
    })
    .join('-');
}

/**
 * A language someone asks for (SendSurvey's `language`, a Flex task attribute), read leniently: surrounding
 * spaces are ignored and `_` counts as `-` (`en_GB`, as Java and POSIX locales write it). Undefined when it is
 * still not a well-formed tag.
 */
export function languagePreference(requested: string | undefined): string | undefined {
  if (requested === undefined) return undefined;
  return canonicalLanguageTag(requested.trim().replaceAll('_', '-'));
}

/** A well-formed BCP 47 tag, given in its canonical case (`EN-gb` becomes `en-GB`). */
export const LanguageTag = Text(LANGUAGE_TAG_MAX_LENGTH).transform((tag, ctx) => {
  const canonical = canonicalLanguageTag(tag);
  if (canonical === undefined) ctx.issues.push({ code: 'custom', message: LANGUAGE_TAG_MESSAGE, input: tag });
  return canonical ?? tag;
});

/** A requested language, read as `languagePreference` does, and given in its canonical case. */
export const LanguagePreference = Text(LANGUAGE_TAG_MAX_LENGTH).transform((tag, ctx) => {
  const canonical = languagePreference(tag);
  if (canonical === undefined) ctx.issues.push({ code: 'custom', message: LANGUAGE_TAG_MESSAGE, input: tag });
  return canonical ?? tag;
});
