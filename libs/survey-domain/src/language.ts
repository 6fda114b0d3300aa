import { z } from 'zod';
import { LANGUAGE_TAG_MAX_LENGTH, Text, canonicalLanguageTag, languagePreference } from '@sms-survey/contracts';

export { LanguageTag, LanguagePreference, canonicalLanguageTag, languagePreference } from '@sms-survey/contracts';

/**
 * Primary language subtags that stand for another one. Norwegian Bokmål (`nb`) and Nynorsk (`nn`) are written
 * Norwegian (`no`); the three-letter ISO 639-2 codes of the catalogue's languages are their two-letter codes.
 */
export const LANGUAGE_ALIASES: Readonly<Record<string, string>> = {
  nb: 'no',
  nn: 'no',
  nob: 'no',
  nno: 'no',
  nor: 'no',
  eng: 'en',
  swe: 'sv',
  dan: 'da',
  fin: 'fi',
  deu: 'de',
  ger: 'de',
  fra: 'fr',
  fre: 'fr',
  spa: 'es',
  nld: 'nl',
  dut: 'nl',
  por: 'pt',
};

/** The primary language subtag, aliases applied: `nb-NO` → `no`, `pt-BR` → `pt`. */
export function primaryLanguage(tag: string): string {
  const primary = tag.split('-')[0]!.toLowerCase();
  return LANGUAGE_ALIASES[primary] ?? primary;
}

/**
 * The tags to look for, most specific first, for a canonical tag: the tag, then the tag with its last subtag
 * removed, and so on (RFC 4647 "Lookup"; an extension's singleton goes with its last subtag); then the same for
 * the tag with its primary language's alias. `en-GB` → `en-GB`, `en`; `nb-NO` → `nb-NO`, `nb`, `no-NO`, `no`;
 * `zh-Hant-TW` → `zh-Hant-TW`, `zh-Hant`, `zh`.
 */
export function languageFallbacks(tag: string): string[] {
  const chain = (start: string) => {
    const tags: string[] = [];
    const subtags = start.split('-');
    while (subtags.length > 0) {
      tags.push(subtags.join('-'));
      subtags.pop();
      while (subtags.length > 1 && subtags[subtags.length - 1]!.length === 1) subtags.pop();
    }
    return tags;
  };
  const [primary, ...rest] = tag.split('-');
  const alias = LANGUAGE_ALIASES[primary!.toLowerCase()];
  const tags = chain(tag);
  if (alias) tags.push(...chain([alias, ...rest].join('-')));
  return [...new Set(tags)];
}

/**
 * Which of `offered` (canonical tags) to use for `requested` (any case, `_` for `-`): the first of the requested
 * tag's fallbacks that is offered; else the first offered tag of the same primary language (`pt-PT` asked, only
 * `pt-BR` offered; `no` asked, `nb` offered); else undefined.
 */
export function matchLanguage(offered: readonly string[], requested: string | undefined): string | undefined {
  const preference = languagePreference(requested);
  if (preference === undefined) return undefined;
  for (const candidate of languageFallbacks(preference)) {
    if (offered.includes(candidate)) return candidate;
  }
  const primary = primaryLanguage(preference);
  return offered.find((tag) => primaryLanguage(tag) === primary);
}

/**
 * A record keyed by language (a localized text, a survey's `phrases`): keys that are well-formed tags are given in
 * their canonical case (`EN-gb` → `en-GB`); two keys naming the same language are a problem. Other keys are kept
 * as written, for the survey checks to report as not listed.
 */
export function languageKeyed<T extends z.ZodType>(value: T) {
  return z.record(Text(LANGUAGE_TAG_MAX_LENGTH), value).transform((record, ctx) => {
    const firstKey = new Map<string, string>();
    const entries: [string, z.output<T>][] = [];
    for (const [key, entry] of Object.entries(record) as [string, z.output<T>][]) {
      const canonical = canonicalLanguageTag(key) ?? key;
      const first = firstKey.get(canonical);
      if (first !== undefined) {
        ctx.issues.push({ code: 'custom', message: `"${first}" and "${key}" are the same language (${canonical})`, input: record, path: [key] });
        continue;
      }
      firstKey.set(canonical, key);
      entries.push([canonical, entry]);
    }
    // fromEntries defines own properties: a key such as "__proto__" cannot reach the prototype.
    return Object.fromEntries(entries) as Record<string, z.output<T>>;
  });
}
