/**
 * Validation of a survey definition: its structure (the zod schema of ./survey-definition.schema.ts), then its
 * meaning: references between elements, rules and their conditions, languages and texts, phrases, text-only loops,
 * the insights mapping and the follow-up task.
 */
import { z } from 'zod';
import { SurveyPhrases, phraseProblems } from './phrases/survey-phrases.js';
import {
  FOLLOW_UP_RESERVED_ATTRIBUTES,
  FollowUp,
  InsightsMapping,
  Language,
  LocalizedText,
  NPS_MAX,
  NPS_MIN,
  Rule,
  SurveyDefinition,
  SurveyElement,
  TEXT_KEYS,
  assertNever,
  elementNeedsInput,
  type Condition,
  type InputElement,
  type TextKey,
} from './survey-definition.schema.js';

export type SurveyValidationResult = { ok: true; survey: SurveyDefinition } | { ok: false; problems: string[] };

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
