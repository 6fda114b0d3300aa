import { type RecordedAnswer, type SessionEndStatus } from '@sms-survey/contracts';
import { languagePreference } from './language.js';
import { cataloguePhrase } from './phrases/survey-phrases.js';
import { renderElement, resolveLanguage, surveyText } from './render.js';
import { type StoredAnswerValue, parseReply } from './reply-parser.js';
import {
  type Condition,
  type InputElement,
  type Language,
  type RuleAction,
  type SurveyDefinition,
  type SurveyElement,
  assertNever,
  elementNeedsInput,
} from './survey-definition.js';

/** Seed step 3: one SMS per element, 2 seconds apart. */
export const SMS_SPACING_SECONDS = 2;

export interface OutgoingSms {
  body: string;
  /** Seconds after the first SMS of the same batch: 0, 2, 4, … */
  delaySeconds: number;
}

export type SessionStatus = 'active' | SessionEndStatus;

export interface SessionState {
  status: SessionStatus;
  /** The question the customer was last sent; null once the session has ended. */
  currentElementId: string | null;
  language: string;
  /** Invalid replies in a row to the current question. */
  invalidReplies: number;
}

export interface StartOptions {
  language?: string;
  /** SendSurvey's `content`: put in front of the first SMS. */
  content?: string;
  now: Date;
}

export interface StartResult {
  language: Language;
  currentElementId: string;
  outgoing: OutgoingSms[];
  /** The session to store (seed step 4). */
  state: SessionState;
}

export type ReplyDecision =
  | { kind: 'unavailable'; outgoing: OutgoingSms[]; state: SessionState }
  | { kind: 'invalid'; outgoing: OutgoingSms[]; invalidReplies: number; state: SessionState }
  | { kind: 'ended-invalid'; outgoing: OutgoingSms[]; endStatus: 'abandoned'; state: SessionState }
  | {
      kind: 'answered';
      answer: RecordedAnswer;
      nextElementId: string | null;
      completed: boolean;
      outgoing: OutgoingSms[];
      state: SessionState;
    };

/**
 * Seed "initiating" steps 2–4: walks the elements from the start to the first question and returns one SMS per
 * element walked (text elements, then the question), with `content` in front of the first one.
 * `now` is part of the signature so callers treat every session transition alike; starting records nothing.
 */
export function startSurvey(survey: SurveyDefinition, options: StartOptions): StartResult {
  const language = resolveLanguage(survey, options.language);
  const { textElements, question } = walkToNextQuestion(survey, 0);
  if (!question) throw new Error(`Survey "${survey.id}" has no element that asks for a reply`);
  const bodies = [...textElements, question].map((element) => renderElement(element, language, survey));
  const content = options.content?.trim();
  if (content) bodies[0] = `${content}\n\n${bodies[0]}`;
  return {
    language,
    currentElementId: question.id,
    outgoing: spaced(bodies),
    state: { status: 'active', currentElementId: question.id, language, invalidReplies: 0 },
  };
}

/** Seed "handling responses" steps 2–8 for a session that was found. */
export function handleReply(
  survey: SurveyDefinition,
  state: SessionState,
  rawReply: string,
  { now }: { now: Date },
): ReplyDecision {
  const language = resolveLanguage(survey, state.language);
  if (state.status !== 'active' || state.currentElementId === null) {
    return { kind: 'unavailable', outgoing: spaced([surveyText(survey, 'unavailable', language)]), state };
  }

  const currentIndex = indexOfElement(survey, state.currentElementId);
  const current = survey.elements[currentIndex];
  if (!current || !elementNeedsInput(current)) {
    throw new Error(`Session points at "${state.currentElementId}", which is not a question of survey "${survey.id}"`);
  }

  const parsed = parseReply(current, rawReply, language, survey);
  if (!parsed.ok) {
    const invalidReplies = state.invalidReplies + 1;
    if (invalidReplies >= survey.settings.maxInvalidReplies) {
      return {
        kind: 'ended-invalid',
        endStatus: 'abandoned',
        outgoing: spaced([surveyText(survey, 'tooManyInvalid', language)]),
        state: { ...state, status: 'abandoned', currentElementId: null, invalidReplies },
      };
    }
    const errorPrefix = surveyText(survey, 'invalidReply', language);
    return {
      kind: 'invalid',
      invalidReplies,
      outgoing: spaced([`${errorPrefix}\n\n${renderElement(current, language, survey)}`]),
      state: { ...state, invalidReplies },
    };
  }

  const answer: RecordedAnswer = {
    elementId: current.id,
    elementType: current.type,
    rawReply,
    value: parsed.value,
    answeredAt: now.toISOString(),
  };

  const action = firstMatchingAction(survey, current.id, parsed.value);
  const walked =
    action && 'end' in action
      ? { textElements: [], question: null }
      : walkToNextQuestion(survey, action ? indexOfElement(survey, action.goTo) : currentIndex + 1);
  const bodies = walked.textElements.map((element) => renderElement(element, language, survey));
  bodies.push(walked.question ? renderElement(walked.question, language, survey) : surveyText(survey, 'completion', language));

  const nextElementId = walked.question?.id ?? null;
  const completed = nextElementId === null;
  return {
    kind: 'answered',
    answer,
    nextElementId,
    completed,
    outgoing: spaced(bodies),
    state: { ...state, status: completed ? 'completed' : 'active', currentElementId: nextElementId, invalidReplies: 0 },
  };
}

/** The "no survey found" SMS: the survey's text when the survey is known, else the catalogue's in `language` (else English). */
export function notFoundReply(survey: SurveyDefinition | undefined, language?: string): string {
  if (survey) return surveyText(survey, 'notFound', resolveLanguage(survey, language));
  return cataloguePhrase(languagePreference(language), 'notFound');
}

/** The action of the first rule on `elementId` whose condition the answer meets, in the order rules are listed. */
export function firstMatchingAction(survey: SurveyDefinition, elementId: string, value: StoredAnswerValue): RuleAction | undefined {
  return survey.rules.find((rule) => rule.elementId === elementId && conditionMatches(rule.when, value))?.then;
}

export function conditionMatches(condition: Condition, value: StoredAnswerValue): boolean {
  // Multiple-choice answers are lists of indexes: equality-style conditions match when any chosen index does.
  const candidates = Array.isArray(value) ? value : [value];
  const numeric = typeof value === 'number' ? value : undefined;
  switch (condition.op) {
    case 'any':
      return true;
    case 'equals':
      return candidates.some((candidate) => candidate === condition.value);
    case 'one-of':
      return candidates.some((candidate) => condition.values.some((allowed) => allowed === candidate));
    case 'range':
      return numeric !== undefined && numeric >= condition.min && numeric <= condition.max;
    case 'lt':
      return numeric !== undefined && numeric < condition.value;
    case 'lte':
      return numeric !== undefined && numeric <= condition.value;
    case 'gt':
      return numeric !== undefined && numeric > condition.value;
    case 'gte':
      return numeric !== undefined && numeric >= condition.value;
    default:
      return assertNever(condition);
  }
}

/** Seed "initiating" step 2: the text elements from `fromIndex` on, up to the first question (null at the end). */
function walkToNextQuestion(
  survey: SurveyDefinition,
  fromIndex: number,
): { textElements: SurveyElement[]; question: InputElement | null } {
  const textElements: SurveyElement[] = [];
  for (const element of survey.elements.slice(fromIndex)) {
    if (elementNeedsInput(element)) return { textElements, question: element };
    textElements.push(element);
  }
  return { textElements, question: null };
}

function indexOfElement(survey: SurveyDefinition, elementId: string): number {
  const index = survey.elements.findIndex((element) => element.id === elementId);
  if (index < 0) throw new Error(`Survey "${survey.id}" has no element "${elementId}"`);
  return index;
}

function spaced(bodies: string[]): OutgoingSms[] {
  return bodies.map((body, index) => ({ body, delaySeconds: index * SMS_SPACING_SECONDS }));
}
