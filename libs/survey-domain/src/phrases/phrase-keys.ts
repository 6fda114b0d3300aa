/**
 * The engine's own words: everything an SMS carries that the survey author did not write. Each shipped language
 * has all of them (`./catalogue.ts`); a survey can override any of them per language (`phrases` in the survey
 * definition) and must, for a language the catalogue lacks, give every one it needs.
 */
export interface Phrases {
  /** After a scale or NPS question: how to answer. Placeholders `{min}`, `{max}`. */
  scaleInstruction: string;
  /** A scale's end label, one line each: `{value}` (the end's number) and `{label}` (the survey's text). */
  scaleLabel: string;
  /** After a yes-no question: how to answer. */
  yesNoInstruction: string;
  /** Replies that mean yes to a yes-no question (compared ignoring case, accents and surrounding punctuation). */
  yesWords: readonly string[];
  /** Replies that mean no. */
  noWords: readonly string[];
  /** One numbered option of a dropdown or multiple-choice question: `{number}` (from 1) and `{text}`. */
  choiceOption: string;
  /** After a dropdown question's options. */
  singleChoiceInstruction: string;
  /** After a multiple-choice question's options. */
  multipleChoiceInstruction: string;
  /** Sent when the survey is finished (the survey's `texts.completion` when given). */
  completion: string;
  /** A reply to a session that already ended. */
  unavailable: string;
  /** A reply that matches no active session. */
  notFound: string;
  /** Put in front of the question when a reply is not valid. */
  invalidReply: string;
  /** After `settings.maxInvalidReplies` invalid replies in a row; the session ends. */
  tooManyInvalid: string;
}

export type PhraseKey = keyof Phrases;

/** The phrases a survey can also give in `texts` (as it always could), in the order docs list them. */
export const SURVEY_TEXT_KEYS = ['completion', 'unavailable', 'notFound', 'invalidReply', 'tooManyInvalid'] as const;
export type SurveyTextKey = (typeof SURVEY_TEXT_KEYS)[number];

export const WORD_LIST_KEYS = ['yesWords', 'noWords'] as const;
export type WordListKey = (typeof WORD_LIST_KEYS)[number];

/** Phrases with placeholders, and the placeholders each must contain (and is limited to). */
export const TEMPLATE_PLACEHOLDERS = {
  scaleInstruction: ['min', 'max'],
  scaleLabel: ['value', 'label'],
  choiceOption: ['number', 'text'],
} as const satisfies Partial<Record<PhraseKey, readonly string[]>>;
export type TemplateKey = keyof typeof TEMPLATE_PLACEHOLDERS;

/** Every phrase, in the order the docs list them. */
export const PHRASE_KEYS = [
  'scaleInstruction',
  'scaleLabel',
  'yesNoInstruction',
  'yesWords',
  'noWords',
  'choiceOption',
  'singleChoiceInstruction',
  'multipleChoiceInstruction',
  ...SURVEY_TEXT_KEYS,
] as const satisfies readonly PhraseKey[];

export type TextPhraseKey = Exclude<PhraseKey, WordListKey>;

export const isWordListKey = (key: PhraseKey): key is WordListKey => (WORD_LIST_KEYS as readonly string[]).includes(key);

/** `{name}` in a template replaced by `values[name]`. */
export function fillTemplate(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{([a-z]+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
