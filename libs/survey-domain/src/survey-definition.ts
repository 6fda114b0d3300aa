import { z } from 'zod';
import { BoundedJsonObject, Text } from '@sms-survey/contracts';
import { LanguageTag, languageKeyed } from './language.js';
import { SURVEY_TEXT_KEYS } from './phrases/phrase-keys.js';
import { SurveyPhrases, phraseProblems } from './phrases/survey-phrases.js';
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

export type SurveyValidationResult = { ok: true; survey: SurveyDefinition } | { ok: false; problems: string[] };

export function elementNeedsInput(element: SurveyElement): element is InputElement {
  return element.type !== 'text';
}

export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}

/**
 * Parses and checks a survey definition, reporting every problem found, each prefixed with where it is.
 * When the shape is wrong somewhere, the parts that do parse are still checked for meaning.
 */
export function validateSurveyDefinition(input: unknown): SurveyValidationResult {
  const parsed = SurveyDefinition.safeParse(input);
  if (parsed.success) {
    const problems = semanticProblems(draftFromSurvey(parsed.data));
    return problems.length === 0 ? { ok: true, survey: parsed.data } : { ok: false, problems };
  }
  const shapeProblems = parsed.error.issues.map((issue) => `${describePath(issue.path, input)}: ${issue.message}`);
  return { ok: false, problems: [...shapeProblems, ...semanticProblems(draftFromRawInput(input))] };
}

/** What the meaning checks look at; `undefined` where that part did not parse (already reported). */
interface Draft {
  defaultLanguage: Language | undefined;
  languages: Language[] | undefined;
  elements: { id: string | undefined; element: SurveyElement | undefined }[];
  /** False when `elements` is not an array or some element did not parse. */
  allElementsParsed: boolean;
  rules: (Rule | undefined)[];
  texts: Partial<Record<TextKey, LocalizedText>>;
  insights: InsightsMapping | undefined;
  followUp: FollowUp | undefined;
  phrases: SurveyPhrases | undefined;
}

function draftFromSurvey(survey: SurveyDefinition): Draft {
  return {
    defaultLanguage: survey.defaultLanguage,
    languages: survey.languages,
    elements: survey.elements.map((element) => ({ id: element.id, element })),
    allElementsParsed: true,
    rules: survey.rules,
    texts: survey.texts,
    insights: survey.insights,
    followUp: survey.followUp,
    phrases: survey.phrases,
  };
}

function draftFromRawInput(input: unknown): Draft {
  const raw = asRecord(input);
  const parseOrUndefined = <T>(schema: z.ZodType<T>, value: unknown): T | undefined => {
    const result = schema.safeParse(value);
    return result.success ? result.data : undefined;
  };
  const rawTexts = asRecord(raw['texts']);
  const texts: Partial<Record<TextKey, LocalizedText>> = {};
  for (const key of TEXT_KEYS) {
    const text = parseOrUndefined(LocalizedText, rawTexts[key]);
    if (text) texts[key] = text;
  }
  const elements = asArray(raw['elements']).map((rawElement) => {
    const id = asRecord(rawElement)['id'];
    return { id: typeof id === 'string' ? id : undefined, element: parseOrUndefined(SurveyElement, rawElement) };
  });
  return {
    defaultLanguage: parseOrUndefined(Language, raw['defaultLanguage']),
    languages: parseOrUndefined(z.array(Language), raw['languages']),
    elements,
    allElementsParsed: Array.isArray(raw['elements']) && elements.every(({ element }) => element !== undefined),
    rules: asArray(raw['rules']).map((rule) => parseOrUndefined(Rule, rule)),
    texts,
    insights: parseOrUndefined(InsightsMapping, raw['insights']),
    followUp: parseOrUndefined(FollowUp, raw['followUp']),
    phrases: parseOrUndefined(SurveyPhrases, raw['phrases']),
  };
}

function semanticProblems(draft: Draft): string[] {
  const problems: string[] = [];
  checkLanguages(draft, problems);
  checkElements(draft, problems);
  checkRules(draft, problems);
  for (const key of TEXT_KEYS) {
    const text = draft.texts[key];
    // A survey text may leave out any language, the default one too: the phrase of that name fills in.
    if (text) checkLocalized(text, `texts.${key}`, draft, problems, { defaultRequired: false });
  }
  checkTextOnlyLoops(draft, problems);
  checkInsights(draft, problems);
  checkFollowUp(draft, problems);
  problems.push(...phraseProblems({ ...draft, elements: draft.elements.map(({ element }) => element) }));
  return problems;
}

function checkLanguages(draft: Draft, problems: string[]): void {
  const { languages, defaultLanguage } = draft;
  if (!languages) return;
  languages.forEach((language, index) => {
    if (languages.indexOf(language) !== index) problems.push(`languages[${index}]: "${language}" is listed more than once`);
  });
  if (defaultLanguage && !languages.includes(defaultLanguage)) {
    problems.push(`defaultLanguage: "${defaultLanguage}" is not listed in languages`);
  }
}

function checkElements(draft: Draft, problems: string[]): void {
  const firstIndexById = new Map<string, number>();
  draft.elements.forEach(({ id }, index) => {
    if (id === undefined) return;
    const first = firstIndexById.get(id);
    if (first === undefined) firstIndexById.set(id, index);
    else problems.push(`${elementLabel(index, id)}: duplicate element id "${id}" (first used by elements[${first}])`);
  });

  draft.elements.forEach(({ element }, index) => {
    if (!element) return;
    const label = elementLabel(index, element.id);
    checkLocalized(element.text, `${label}.text`, draft, problems);
    switch (element.type) {
      case 'scale':
        if (element.min >= element.max) {
          problems.push(`${label}: scale min (${element.min}) must be less than max (${element.max})`);
        }
        if (element.minLabel) checkLocalized(element.minLabel, `${label}.minLabel`, draft, problems);
        if (element.maxLabel) checkLocalized(element.maxLabel, `${label}.maxLabel`, draft, problems);
        break;
      case 'dropdown':
      case 'multiple-choice':
        if (element.options.length === 0) problems.push(`${label}.options: a ${element.type} element needs at least one option`);
        element.options.forEach((option, optionIndex) =>
          checkLocalized(option.text, `${label}.options[${optionIndex}].text`, draft, problems),
        );
        break;
      case 'text':
      case 'nps':
      case 'yes-no':
      case 'free-text':
        break;
      default:
        assertNever(element);
    }
  });

  if (draft.allElementsParsed && !draft.elements.some(({ element }) => element && elementNeedsInput(element))) {
    problems.push('elements: the survey has no element that asks for a reply');
  }
}

function checkRules(draft: Draft, problems: string[]): void {
  const ids = new Set(draft.elements.map(({ id }) => id));
  draft.rules.forEach((rule, index) => {
    if (!rule) return;
    const path = `rules[${index}]`;
    if (!ids.has(rule.elementId)) {
      problems.push(`${path}.elementId: no element has the id "${rule.elementId}"`);
    } else {
      const element = draft.elements.find(({ id }) => id === rule.elementId)?.element;
      if (element?.type === 'text') {
        problems.push(`${path}.elementId: "${rule.elementId}" is a text element, which takes no reply, so it cannot have rules`);
      } else if (element) {
        problems.push(...conditionProblems(rule.when, element, `${path}.when`));
      }
    }
    if ('goTo' in rule.then && !ids.has(rule.then.goTo)) {
      problems.push(`${path}.then.goTo: no element has the id "${rule.then.goTo}"`);
    }
  });
}

function conditionProblems(condition: Condition, element: InputElement, path: string): string[] {
  const notApplicable = [`${path}: "${condition.op}" does not apply to ${element.type} element "${element.id}"`];
  if (condition.op === 'any') return [];
  const comparedValues = condition.op === 'equals' ? [condition.value] : condition.op === 'one-of' ? condition.values : [];
  const valuePath = condition.op === 'one-of' ? `${path}.values` : `${path}.value`;

  switch (element.type) {
    case 'scale':
    case 'nps': {
      const [min, max] = element.type === 'scale' ? [element.min, element.max] : [NPS_MIN, NPS_MAX];
      if (condition.op === 'range' && condition.min > condition.max) {
        return [`${path}: range min (${condition.min}) must not be greater than max (${condition.max})`];
      }
      return comparedValues
        .filter((value) => typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
        .map((value) => `${valuePath}: ${JSON.stringify(value)} is not a whole number from ${min} to ${max}, so it never matches`);
    }
    case 'yes-no':
      if (condition.op !== 'equals' && condition.op !== 'one-of') return notApplicable;
      return comparedValues
        .filter((value) => typeof value !== 'boolean')
        .map((value) => `${valuePath}: ${JSON.stringify(value)} is not true or false; yes-no answers are stored as booleans`);
    case 'dropdown':
    case 'multiple-choice': {
      if (condition.op !== 'equals' && condition.op !== 'one-of') return notApplicable;
      const lastIndex = element.options.length - 1;
      return comparedValues
        .filter((value) => typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > lastIndex)
        .map(
          (value) =>
            `${valuePath}: ${JSON.stringify(value)} is not an option index of "${element.id}" (0 to ${lastIndex}, counting from 0)`,
        );
    }
    case 'free-text':
      return notApplicable;
    default:
      return assertNever(element);
  }
}

/** The element with this id, when there is one that takes a reply; otherwise the reason it cannot be used. */
function inputElementOf(draft: Draft, id: string): { element: InputElement } | { problem: string } | undefined {
  const found = draft.elements.find((e) => e.id === id);
  if (!found) return { problem: `no element has the id "${id}"` };
  if (!found.element) return undefined; // did not parse: already reported
  if (!elementNeedsInput(found.element)) return { problem: `"${id}" is a text element, which takes no reply` };
  return { element: found.element };
}

function checkInsights(draft: Draft, problems: string[]): void {
  const insights = draft.insights;
  if (!insights) return;
  const measureSlots = new Map<number, string>();
  for (const [id, slot] of Object.entries(insights.measures)) {
    const path = `insights.measures.${id}`;
    const found = inputElementOf(draft, id);
    if (found && 'problem' in found) problems.push(`${path}: ${found.problem}`);
    else if (found && found.element.type !== 'scale' && found.element.type !== 'nps') {
      problems.push(`${path}: measures take numbers only, and "${id}" is a ${found.element.type} element (map it to a label or an attribute)`);
    }
    const other = measureSlots.get(slot);
    if (other !== undefined) problems.push(`${path}: conversation_measure_${slot} is already used by "${other}"`);
    else measureSlots.set(slot, id);
  }
  // Flex Insights shows label N as the value of attribute N: one number, one answer.
  const textSlots = new Map<number, string>();
  for (const kind of ['labels', 'attributes'] as const) {
    for (const [id, slot] of Object.entries(insights[kind])) {
      const path = `insights.${kind}.${id}`;
      const found = inputElementOf(draft, id);
      if (found && 'problem' in found) problems.push(`${path}: ${found.problem}`);
      const other = textSlots.get(slot);
      if (other !== undefined) {
        problems.push(`${path}: number ${slot} is already used by ${other} (conversation_label_${slot} and conversation_attribute_${slot} are one Flex Insights attribute)`);
      } else {
        textSlots.set(slot, `${kind}.${id}`);
      }
    }
  }
  if (insights.noResponseLabel !== undefined && textSlots.has(insights.noResponseLabel)) {
    problems.push(`insights.noResponseLabel: number ${insights.noResponseLabel} is already used by ${textSlots.get(insights.noResponseLabel)}`);
  }
}

function checkFollowUp(draft: Draft, problems: string[]): void {
  const followUp = draft.followUp;
  if (!followUp) return;
  const found = inputElementOf(draft, followUp.when.elementId);
  if (found && 'problem' in found) problems.push(`followUp.when.elementId: ${found.problem}`);
  else if (found) problems.push(...conditionProblems(followUp.when.condition, found.element, 'followUp.when.condition'));
  for (const key of FOLLOW_UP_RESERVED_ATTRIBUTES) {
    if (followUp.attributes && key in followUp.attributes) {
      problems.push(`followUp.attributes.${key}: "${key}" is set by the follow-up task itself`);
    }
  }
}

/** Checks one localized text: present in the default language (unless not required), no empty texts, only listed languages. */
function checkLocalized(
  text: LocalizedText,
  path: string,
  draft: Draft,
  problems: string[],
  { defaultRequired = true }: { defaultRequired?: boolean } = {},
): void {
  const { defaultLanguage, languages } = draft;
  if (defaultRequired && defaultLanguage && !text[defaultLanguage]?.trim()) {
    problems.push(`${path}: missing text for the default language "${defaultLanguage}"`);
  }
  // The default language counts as listed here; leaving it out of `languages` is reported once, on its own.
  const listed = new Set<string>(languages ? [...languages, ...(defaultLanguage ? [defaultLanguage] : [])] : []);
  for (const [language, value] of Object.entries(text)) {
    if (languages && !listed.has(language)) {
      problems.push(`${path}.${language}: language "${language}" is not listed in languages`);
    } else if ((language !== defaultLanguage || !defaultRequired) && !value.trim()) {
      problems.push(`${path}.${language}: text is empty`);
    }
  }
}

/**
 * The session walks forward from a rule's goTo target through text elements until it reaches a question. Moving
 * forward in sequence always ends, so a loop that asks nothing needs a jump back from a text element: a rule on a
 * text element (itself reported as a problem, and never followed at run time). Each goTo target is checked for a
 * way back to itself through text elements only.
 */
function checkTextOnlyLoops(draft: Draft, problems: string[]): void {
  const indexById = new Map<string, number>();
  draft.elements.forEach(({ id }, index) => {
    if (id !== undefined && !indexById.has(id)) indexById.set(id, index);
  });
  const isText = (index: number) => draft.elements[index]?.element?.type === 'text';
  const successors = (index: number): number[] => {
    const id = draft.elements[index]?.id;
    const jumps = draft.rules.flatMap((rule) =>
      rule && rule.elementId === id && 'goTo' in rule.then ? [indexById.get(rule.then.goTo) ?? -1] : [],
    );
    return [index + 1, ...jumps].filter((next) => next >= 0 && next < draft.elements.length);
  };

  const reported = new Set<number>();
  draft.rules.forEach((rule, ruleIndex) => {
    if (!rule || !('goTo' in rule.then)) return;
    const start = indexById.get(rule.then.goTo);
    if (start === undefined || reported.has(start) || !isText(start)) return;
    const loop = findPathBack(start, successors, isText);
    if (loop) {
      reported.add(start);
      const names = loop.map((index) => draft.elements[index]?.id ?? `elements[${index}]`).join(' → ');
      problems.push(`rules[${ruleIndex}].then.goTo: "${rule.then.goTo}" leads back to itself through text elements only (${names}), so nothing is ever asked`);
    }
  });
}

/** Depth-first search for a path start → … → start that visits only text elements. */
function findPathBack(start: number, successors: (index: number) => number[], isText: (index: number) => boolean): number[] | undefined {
  const visited = new Set<number>();
  const search = (index: number, path: number[]): number[] | undefined => {
    for (const next of successors(index)) {
      if (next === start) return [...path, start];
      if (visited.has(next) || !isText(next)) continue;
      visited.add(next);
      const found = search(next, [...path, next]);
      if (found) return found;
    }
    return undefined;
  };
  return search(start, [start]);
}

function elementLabel(index: number, id: string | undefined): string {
  return id === undefined ? `elements[${index}]` : `elements[${index}] ("${id}")`;
}

/** `elements.2.min` → `elements[2] ("q1").min`, naming the element when its id can be read. */
function describePath(path: readonly PropertyKey[], input: unknown): string {
  if (path.length === 0) return '(survey)';
  let description = '';
  path.forEach((key, position) => {
    if (typeof key === 'number') {
      description += `[${key}]`;
      if (position === 1 && path[0] === 'elements') {
        const id = asRecord(asArray(asRecord(input)['elements'])[key])['id'];
        if (typeof id === 'string') description += ` ("${id}")`;
      }
    } else {
      description += description === '' ? String(key) : `.${String(key)}`;
    }
  });
  return description;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
