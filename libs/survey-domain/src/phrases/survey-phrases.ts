import { z } from 'zod';
import { Text } from '@sms-survey/contracts';
import { languageFallbacks, languageKeyed } from '../language.js';
import { CATALOGUE_LANGUAGES, LAST_RESORT_LANGUAGE, PHRASE_CATALOGUE } from './catalogue.js';
import {
  type PhraseKey,
  type Phrases,
  type SurveyTextKey,
  type TemplateKey,
  PHRASE_KEYS,
  SURVEY_TEXT_KEYS,
  TEMPLATE_PLACEHOLDERS,
  isWordListKey,
} from './phrase-keys.js';

const Phrase = Text(500);
const WordList = z.array(Text(50)).min(1).max(30);

/** A survey's own phrases for one language: any of the catalogue's, each optional. Unknown keys are errors. */
export const PhraseOverrides = z.strictObject({
  scaleInstruction: Phrase.optional(),
  scaleLabel: Phrase.optional(),
  yesNoInstruction: Phrase.optional(),
  yesWords: WordList.optional(),
  noWords: WordList.optional(),
  choiceOption: Phrase.optional(),
  singleChoiceInstruction: Phrase.optional(),
  multipleChoiceInstruction: Phrase.optional(),
  completion: Text(1600).optional(),
  unavailable: Text(1600).optional(),
  notFound: Text(1600).optional(),
  invalidReply: Text(1600).optional(),
  tooManyInvalid: Text(1600).optional(),
} satisfies Record<PhraseKey, z.ZodType>);
export type PhraseOverrides = z.infer<typeof PhraseOverrides>;

/** `phrases` of a survey definition: language → the phrases it overrides. */
export const SurveyPhrases = languageKeyed(PhraseOverrides);
export type SurveyPhrases = z.infer<typeof SurveyPhrases>;

/** What phrases are looked up in: a survey definition, or the part of one that parsed. */
export interface PhraseSource {
  defaultLanguage: string;
  texts?: Partial<Record<SurveyTextKey, Readonly<Record<string, string>>>>;
  phrases?: Readonly<Record<string, PhraseOverrides>>;
}

/** The element types (and scale labels) that decide which phrases a survey needs. */
export interface ElementNeeds {
  type: string;
  minLabel?: unknown;
  maxLabel?: unknown;
}

const isSurveyTextKey = (key: PhraseKey): key is SurveyTextKey => (SURVEY_TEXT_KEYS as readonly string[]).includes(key);

const present = (value: string | readonly string[] | undefined): boolean =>
  value !== undefined && (typeof value === 'string' ? value.trim() !== '' : value.some((word) => word.trim() !== ''));

/**
 * The phrase for `language` without falling back to another language: along the language's fallbacks
 * (`en-GB`, `en`), the survey's `texts` (for the five survey texts), then its `phrases`, then the catalogue.
 */
export function findPhrase<K extends PhraseKey>(source: PhraseSource, language: string, key: K): Phrases[K] | undefined {
  const chain = languageFallbacks(language);
  if (isSurveyTextKey(key)) {
    for (const tag of chain) {
      const text = source.texts?.[key]?.[tag];
      if (present(text)) return text as Phrases[K];
    }
  }
  for (const tag of chain) {
    const own = source.phrases?.[tag]?.[key];
    if (present(own)) return own as Phrases[K];
  }
  for (const tag of chain) {
    const builtIn = PHRASE_CATALOGUE[tag]?.[key];
    if (builtIn !== undefined) return builtIn;
  }
  return undefined;
}

/**
 * The phrase for `language`; when neither the survey nor the catalogue has it (a survey's save-time check
 * prevents that for its languages), the survey's default language's, then English.
 */
export function phrase<K extends PhraseKey>(source: PhraseSource, language: string, key: K): Phrases[K] {
  return (
    findPhrase(source, language, key) ??
    findPhrase(source, source.defaultLanguage, key) ??
    PHRASE_CATALOGUE[LAST_RESORT_LANGUAGE]![key]
  );
}

/** The phrase for a language someone asked for, from the catalogue alone (no survey known), else English. */
export function cataloguePhrase<K extends PhraseKey>(language: string | undefined, key: K): Phrases[K] {
  return phrase({ defaultLanguage: language ?? LAST_RESORT_LANGUAGE }, language ?? LAST_RESORT_LANGUAGE, key);
}

/** The phrases a survey with these elements uses: the five survey texts always, the rest by element type. */
export function phrasesNeeded(elements: readonly ElementNeeds[]): PhraseKey[] {
  const needed = new Set<PhraseKey>(SURVEY_TEXT_KEYS);
  for (const element of elements) {
    switch (element.type) {
      case 'scale':
        needed.add('scaleInstruction');
        if (element.minLabel !== undefined || element.maxLabel !== undefined) needed.add('scaleLabel');
        break;
      case 'nps':
        needed.add('scaleInstruction');
        break;
      case 'yes-no':
        needed.add('yesNoInstruction').add('yesWords').add('noWords');
        break;
      case 'dropdown':
        needed.add('choiceOption').add('singleChoiceInstruction');
        break;
      case 'multiple-choice':
        needed.add('choiceOption').add('multipleChoiceInstruction');
        break;
      default:
        break;
    }
  }
  return PHRASE_KEYS.filter((key) => needed.has(key));
}

/** The phrases of `needed` that `language` has nowhere (survey texts, survey phrases, catalogue, along its fallbacks). */
export function missingPhrases(source: PhraseSource, language: string, needed: readonly PhraseKey[]): PhraseKey[] {
  return needed.filter((key) => findPhrase(source, language, key) === undefined);
}

/**
 * A reply as yes/no words are compared: accents and case ignored (`Sí` = `si`, `NÃO` = `nao`, `Kyllä` = `kylla`),
 * surrounding spaces and punctuation (`¡Sí!`, `ja.`) and repeated inner spaces dropped.
 */
export function normalizeReplyWord(reply: string): string {
  return reply
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '')
    .replace(/\s+/g, ' ');
}

export interface YesNoWords {
  yes: ReadonlySet<string>;
  no: ReadonlySet<string>;
}

function wordsOf(source: PhraseSource, language: string): { yes: string[]; no: string[] } {
  const list = (key: 'yesWords' | 'noWords') => (findPhrase(source, language, key) ?? []).map(normalizeReplyWord).filter((word) => word !== '');
  return { yes: list('yesWords'), no: list('noWords') };
}

/**
 * The replies a yes-no question in `language` accepts: that language's words (the survey's own, else the
 * catalogue's), and the words of every other language of the survey and of the catalogue, since customers mix
 * languages (`yes` in a Swedish survey). A word of another language that means the opposite in this one, or
 * yes in one other language and no in another, is left out.
 */
export function yesNoWords(source: PhraseSource | undefined, language: string | undefined, surveyLanguages: readonly string[] = []): YesNoWords {
  const lookup = source ?? { defaultLanguage: language ?? LAST_RESORT_LANGUAGE };
  const own = language === undefined ? { yes: [], no: [] } : wordsOf(lookup, language);
  const otherYes = new Set<string>();
  const otherNo = new Set<string>();
  for (const other of new Set([...surveyLanguages, ...CATALOGUE_LANGUAGES])) {
    const words = wordsOf(lookup, other);
    words.yes.forEach((word) => otherYes.add(word));
    words.no.forEach((word) => otherNo.add(word));
  }
  const yes = new Set(own.yes);
  const no = new Set(own.no);
  for (const word of otherYes) if (!no.has(word) && !otherNo.has(word)) yes.add(word);
  for (const word of otherNo) if (!yes.has(word) && !otherYes.has(word)) no.add(word);
  return { yes, no };
}

/** A draft survey as the save-time checks see it; `undefined` where that part did not parse (already reported). */
export interface PhraseDraft {
  defaultLanguage: string | undefined;
  languages: string[] | undefined;
  elements: readonly (ElementNeeds | undefined)[];
  allElementsParsed: boolean;
  texts: Partial<Record<SurveyTextKey, Readonly<Record<string, string>>>>;
  phrases: Readonly<Record<string, PhraseOverrides>> | undefined;
}

const placeholderList = (names: readonly string[]) => names.map((name) => `{${name}}`).join(' and ');

/**
 * The survey's own phrases checked (listed languages only, templates with exactly their placeholders, no empty
 * phrase or word, no word both yes and no, nothing given both here and in `texts`), and every listed language
 * checked to have every phrase the survey needs.
 */
export function phraseProblems(draft: PhraseDraft): string[] {
  const problems: string[] = [];
  const listed = new Set([...(draft.languages ?? []), ...(draft.defaultLanguage ? [draft.defaultLanguage] : [])]);
  for (const [language, overrides] of Object.entries(draft.phrases ?? {})) {
    const path = `phrases.${language}`;
    if (draft.languages && !listed.has(language)) {
      problems.push(`${path}: language "${language}" is not listed in languages`);
      continue;
    }
    for (const key of PHRASE_KEYS) {
      const value = overrides[key];
      if (value === undefined) continue;
      if (isWordListKey(key)) {
        (value as string[]).forEach((word, index) => {
          if (normalizeReplyWord(word) === '') problems.push(`${path}.${key}[${index}]: a word must have a letter or digit`);
        });
        continue;
      }
      const text = value as string;
      if (text.trim() === '') {
        problems.push(`${path}.${key}: text is empty`);
        continue;
      }
      if (key in TEMPLATE_PLACEHOLDERS) {
        const allowed: readonly string[] = TEMPLATE_PLACEHOLDERS[key as TemplateKey];
        const used = [...text.matchAll(/\{([^{}]*)\}/g)].map((match) => match[1]!);
        const unknown = [...new Set(used.filter((name) => !allowed.includes(name)))];
        const absent = allowed.filter((name) => !used.includes(name));
        if (unknown.length > 0) problems.push(`${path}.${key}: unknown placeholder ${placeholderList(unknown)} (it takes ${placeholderList(allowed)})`);
        if (absent.length > 0) problems.push(`${path}.${key}: must contain ${placeholderList(allowed)}`);
      }
      if (isSurveyTextKey(key) && draft.texts[key]?.[language] !== undefined) {
        problems.push(`${path}.${key}: also given in texts.${key}.${language}; give it in one place`);
      }
    }
  }

  if (!draft.languages || !draft.defaultLanguage) return problems;
  const source: PhraseSource = { defaultLanguage: draft.defaultLanguage, texts: draft.texts, phrases: draft.phrases };
  // With an element that did not parse, its needs are unknown: only the phrases of the elements that did parse are checked.
  const needed = phrasesNeeded(draft.elements.filter((element): element is ElementNeeds => element !== undefined));
  draft.languages.forEach((language, index) => {
    if (draft.languages!.indexOf(language) !== index) return;
    const missing = missingPhrases(source, language, needed);
    if (missing.length > 0) {
      problems.push(
        `languages[${index}]: "${language}" lacks phrases this survey needs: ${missing.join(', ')}; give them in phrases.${language} ` +
          `(built-in phrases exist for ${CATALOGUE_LANGUAGES.join(', ')} and their regional variants)`,
      );
    }
    const words = wordsOf(source, language);
    const both = [...new Set(words.yes.filter((word) => words.no.includes(word)))];
    if (both.length > 0) {
      problems.push(`phrases.${language}: ${both.map((word) => `"${word}"`).join(', ')} would mean both yes and no (yesWords and noWords)`);
    }
  });
  return problems;
}

