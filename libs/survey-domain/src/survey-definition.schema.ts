/**
 * The structure of a survey definition: the zod schema (shapes, types, limits, defaults) and the types it infers.
 * What a definition means (references between elements, rules, languages, texts…) is checked by
 * `validateSurveyDefinition` in ./survey-definition.validate.ts.
 */
import { z } from 'zod';
import { BoundedJsonObject, Text } from '@sms-survey/contracts';
import { LanguageTag, languageKeyed } from './language.js';
import { SURVEY_TEXT_KEYS } from './phrases/phrase-keys.js';
import { SurveyPhrases } from './phrases/survey-phrases.js';
import { SendingHours } from '@sms-survey/sms-domain';

/**
 * A survey language: any BCP 47 tag (`en`, `sv`, `en-GB`, `pt-BR`), stored in its canonical case. The engine's own
 * words come from the phrase catalogue (`./phrases`) or the survey's `phrases`; a listed language that has neither
 * for a phrase the survey needs is refused when the survey is saved.
 */
export const Language = LanguageTag;
export type Language = string;

export const Identifier = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, "_" and "-"');

/** Language tag → text. A language missing here falls back along its fallbacks (`en-GB` → `en`), then to the default language. */
export const LocalizedText = languageKeyed(Text(1600));
export type LocalizedText = z.infer<typeof LocalizedText>;

/** `value` is what reports show; without it, the option's text in the default language is used. */
export const ChoiceOption = z.strictObject({ text: LocalizedText, value: Text(200).min(1).optional() });
export type ChoiceOption = z.infer<typeof ChoiceOption>;

const elementBase = { id: Identifier, text: LocalizedText };

export const TextElement = z.strictObject({ ...elementBase, type: z.literal('text') });
export const ScaleElement = z.strictObject({
  ...elementBase,
  type: z.literal('scale'),
  min: z.int(),
  max: z.int(),
  minLabel: LocalizedText.optional(),
  maxLabel: LocalizedText.optional(),
});
export const NpsElement = z.strictObject({ ...elementBase, type: z.literal('nps') });
export const YesNoElement = z.strictObject({ ...elementBase, type: z.literal('yes-no') });
export const DropdownElement = z.strictObject({ ...elementBase, type: z.literal('dropdown'), options: z.array(ChoiceOption) });
export const MultipleChoiceElement = z.strictObject({
  ...elementBase,
  type: z.literal('multiple-choice'),
  options: z.array(ChoiceOption),
});
export const FreeTextElement = z.strictObject({ ...elementBase, type: z.literal('free-text') });

export const SurveyElement = z.discriminatedUnion('type', [
  TextElement,
  ScaleElement,
  NpsElement,
  YesNoElement,
  DropdownElement,
  MultipleChoiceElement,
  FreeTextElement,
]);
export type SurveyElement = z.infer<typeof SurveyElement>;
export type ElementType = SurveyElement['type'];
export type TextElement = z.infer<typeof TextElement>;
export type ScaleElement = z.infer<typeof ScaleElement>;
export type NpsElement = z.infer<typeof NpsElement>;
export type YesNoElement = z.infer<typeof YesNoElement>;
export type DropdownElement = z.infer<typeof DropdownElement>;
export type MultipleChoiceElement = z.infer<typeof MultipleChoiceElement>;
export type FreeTextElement = z.infer<typeof FreeTextElement>;
/** An element the customer replies to; every type except 'text'. */
export type InputElement = Exclude<SurveyElement, TextElement>;

export const NPS_MIN = 0;
export const NPS_MAX = 10;

const ConditionValue = z.union([z.number(), z.boolean()]);

/**
 * Compared with the stored answer: a number for scale/nps, a boolean for yes-no, the 0-based option index for
 * dropdown; for multiple-choice, 'equals'/'one-of' match when any chosen index matches. 'any' matches every answer.
 */
export const Condition = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('equals'), value: ConditionValue }),
  z.strictObject({ op: z.literal('one-of'), values: z.array(ConditionValue).min(1) }),
  z.strictObject({ op: z.literal('range'), min: z.number(), max: z.number() }),
  z.strictObject({ op: z.enum(['lt', 'lte', 'gt', 'gte']), value: z.number() }),
  z.strictObject({ op: z.literal('any') }),
]);
export type Condition = z.infer<typeof Condition>;
export type ConditionOp = Condition['op'];

export const RuleAction = z.union([z.strictObject({ goTo: Identifier }), z.strictObject({ end: z.literal(true) })]);
export type RuleAction = z.infer<typeof RuleAction>;

export const Rule = z.strictObject({ elementId: Identifier, when: Condition, then: RuleAction });
export type Rule = z.infer<typeof Rule>;

export const TEXT_KEYS = SURVEY_TEXT_KEYS;
export type TextKey = (typeof TEXT_KEYS)[number];

/** The survey's own texts; a text (or a language of one) left out is the phrase of that name (`phrases`, else the catalogue). */
export const SurveyTexts = z.strictObject({
  completion: LocalizedText.optional(),
  unavailable: LocalizedText.optional(),
  notFound: LocalizedText.optional(),
  invalidReply: LocalizedText.optional(),
  tooManyInvalid: LocalizedText.optional(),
});
export type SurveyTexts = z.infer<typeof SurveyTexts>;

export const DEFAULT_MAX_INVALID_REPLIES = 3;

/**
 * One nudge when the customer has not answered the first question `afterMinutes` after it was sent: `text`,
 * followed by that question asked again. Sent within the sending hours, never after expiry or an opt-out.
 */
export const Reminder = z.strictObject({
  afterMinutes: z.int().min(1).max(60 * 24 * 14),
  text: LocalizedText.refine((t) => Object.keys(t).length > 0, 'needs the reminder text in at least the default language'),
});
export type Reminder = z.infer<typeof Reminder>;

export const SurveySettings = z.strictObject({
  maxInvalidReplies: z.int().min(1).default(DEFAULT_MAX_INVALID_REPLIES),
  /** When its SMS may reach a customer, in the customer's local time (else the orchestrator's SENDING_HOURS). */
  sendingHours: SendingHours.optional(),
  reminder: Reminder.optional(),
});
export type SurveySettings = z.infer<typeof SurveySettings>;

/** Flex Insights has ten of each custom conversation field: `conversation_measure_1…10`, `conversation_attribute_1…10`, `conversation_label_1…10`. */
export const INSIGHTS_SLOTS = 10;
const InsightsSlot = z.int().min(1).max(INSIGHTS_SLOTS);

/**
 * Which answer goes to which Flex Insights field of the linked survey task (element id → N):
 * `measures` → `conversations.conversation_measure_N` (scale and nps answers: numbers only);
 * `labels` → `conversation_label_N`, `attributes` → `conversation_attribute_N` (the answer as text). Flex Insights
 * pairs label N with attribute N (one "Conversation Attribute N"), so labels and attributes share the numbers.
 * A free-text answer reaches Flex Insights only when mapped here: that is the survey author's explicit choice.
 */
export const InsightsMapping = z.strictObject({
  measures: z.record(Identifier, InsightsSlot).default({}),
  labels: z.record(Identifier, InsightsSlot).default({}),
  attributes: z.record(Identifier, InsightsSlot).default({}),
  /** The `conversation_label_N` that says "no response" on a task for a session without answers; default: the lowest N not mapped. */
  noResponseLabel: InsightsSlot.optional(),
});
export type InsightsMapping = z.infer<typeof InsightsMapping>;

/** TaskRouter's limits on a task: at most two weeks to live, priority a non-negative 32-bit integer. */
export const MAX_TASK_TIMEOUT_SECONDS = 1_209_600;
export const MAX_TASK_PRIORITY = 2 ** 31 - 1;
export const DEFAULT_FOLLOW_UP_TIMEOUT_SECONDS = 3600;
/** Attribute names the follow-up task sets itself; `followUp.attributes` may not use them. */
export const FOLLOW_UP_RESERVED_ATTRIBUTES = ['type', 'callback', 'answers', 'survey', 'origin', 'conversations'] as const;

/**
 * Seed 004's "Send to Flex" options: when an answer meets `when`, a Flex task is created so someone calls the
 * customer back, in this workflow and task channel, with this priority and timeout, and with `attributes` added.
 */
export const FollowUp = z.strictObject({
  when: z.strictObject({ elementId: Identifier, condition: Condition }),
  workflowSid: z.string().regex(/^WW[0-9a-fA-F]{32}$/, 'must be a TaskRouter workflow sid (WW followed by 32 hex digits)'),
  /** Task channel unique name (e.g. `voice`) or `TC…` sid. */
  taskChannel: Text(64).min(1),
  priority: z.int().min(0).max(MAX_TASK_PRIORITY).default(0),
  timeout: z.int().min(1).max(MAX_TASK_TIMEOUT_SECONDS).default(DEFAULT_FOLLOW_UP_TIMEOUT_SECONDS),
  /** Extra, static task attributes (e.g. a skill the workflow routes on); `name` replaces the default task name. */
  attributes: BoundedJsonObject.pipe(z.record(z.string(), z.json())).optional(),
});
export type FollowUp = z.infer<typeof FollowUp>;

export const SurveyDefinition = z.strictObject({
  id: Identifier,
  name: Text(200).min(1),
  defaultLanguage: Language,
  languages: z.array(Language).min(1),
  elements: z.array(SurveyElement),
  rules: z.array(Rule).default([]),
  texts: SurveyTexts.prefault({}),
  /** The engine's phrases this survey words its own way, per language (partial); see `./phrases`. */
  phrases: SurveyPhrases.optional(),
  settings: SurveySettings.prefault({}),
  /** How answers map to Flex Insights fields; without it, see `defaultInsightsMapping`. */
  insights: InsightsMapping.optional(),
  followUp: FollowUp.optional(),
});
/** A parsed survey: `rules` and `settings` are filled in with their defaults. */
export type SurveyDefinition = z.infer<typeof SurveyDefinition>;
/** A survey as written in JSON: `rules` and `settings` may be left out. */
export type SurveyDefinitionInput = z.input<typeof SurveyDefinition>;

export function elementNeedsInput(element: SurveyElement): element is InputElement {
  return element.type !== 'text';
}

export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
