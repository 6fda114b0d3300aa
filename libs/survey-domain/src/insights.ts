import { type RecordedAnswer } from '@sms-survey/contracts';
import { type StoredAnswerValue } from './reply-parser.js';
import {
  INSIGHTS_SLOTS,
  type InputElement,
  type InsightsMapping,
  type SurveyDefinition,
  elementNeedsInput,
} from './survey-definition.js';

export const NO_RESPONSE_LABEL = 'no response';

/** The `conversations` object Flex Insights reads from a task's attributes. */
export type ConversationFields = Record<string, string | number>;

/** What the Insights fields are built from: a finished session, never its customer. */
export interface SessionForInsights {
  sessionId: string;
  origin?: { kind: string; taskSid?: string; conversationId?: string } | undefined;
  answers: readonly Pick<RecordedAnswer, 'elementId' | 'elementType' | 'value'>[];
}

type ResolvedMapping = Required<Pick<InsightsMapping, 'measures' | 'labels' | 'attributes'>> & { noResponseLabel: number };

const MEASURE_TYPES = new Set(['scale', 'nps']);
const LABEL_TYPES = new Set(['yes-no', 'dropdown', 'multiple-choice']);

/**
 * The mapping used when a survey has none: scale and nps elements become `conversation_measure_1…`, yes-no,
 * dropdown and multiple-choice elements `conversation_label_1…`, each in the order the survey lists them (so a
 * question keeps its field whichever questions a session skipped), at most ten of each. Free-text answers are
 * left out: they may say anything, the customer's phone number included.
 */
export function defaultInsightsMapping(survey: SurveyDefinition): InsightsMapping {
  return mappingByType(survey.elements.filter(elementNeedsInput).map((e) => ({ id: e.id, type: e.type })));
}

function mappingByType(elements: readonly { id: string; type: string }[]): InsightsMapping {
  const measures: Record<string, number> = {};
  const labels: Record<string, number> = {};
  for (const { id, type } of elements) {
    if (MEASURE_TYPES.has(type) && !(id in measures) && Object.keys(measures).length < INSIGHTS_SLOTS) measures[id] = Object.keys(measures).length + 1;
    if (LABEL_TYPES.has(type) && !(id in labels) && Object.keys(labels).length < INSIGHTS_SLOTS) labels[id] = Object.keys(labels).length + 1;
  }
  return { measures, labels, attributes: {} };
}

function resolve(mapping: InsightsMapping): ResolvedMapping {
  const used = new Set([...Object.values(mapping.labels), ...Object.values(mapping.attributes)]);
  let free = 1;
  while (used.has(free) && free < INSIGHTS_SLOTS) free++;
  return { measures: mapping.measures, labels: mapping.labels, attributes: mapping.attributes, noResponseLabel: mapping.noResponseLabel ?? free };
}

/** An answer as Flex Insights text: yes/no, an option's report value (its `value`, else its default-language text), the number, or the text. */
export function answerText(value: StoredAnswerValue, element?: InputElement, survey?: SurveyDefinition): string {
  const optionValue = (index: number): string => {
    if (!element || (element.type !== 'dropdown' && element.type !== 'multiple-choice')) return String(index + 1);
    const option = element.options[index];
    if (!option) return String(index + 1);
    return option.value ?? (survey ? option.text[survey.defaultLanguage] : undefined) ?? Object.values(option.text)[0] ?? String(index + 1);
  };
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.map(optionValue).join(', ');
  if (typeof value === 'number' && (element?.type === 'dropdown' || element?.type === 'multiple-choice')) return optionValue(value);
  return String(value);
}

/**
 * The `conversations` attributes of the survey task that Flex Insights links to the original conversation
 * (seed 000): `conversation_id` is the original conversation's id (its task sid when it has none), and each
 * answer goes where the survey's `insights` mapping (else `defaultInsightsMapping`) says. A measure is only ever
 * a number. A session without answers gets no score, only `conversation_label_N` = "no response". Without the
 * survey definition, the answers' element types decide, in answer order. The customer's phone is never read.
 */
export function surveyConversationFields(session: SessionForInsights, survey?: SurveyDefinition): ConversationFields {
  const fields: ConversationFields = {
    conversation_id: session.origin?.conversationId ?? session.origin?.taskSid ?? session.sessionId,
  };
  const mapping = resolve(
    survey ? (survey.insights ?? defaultInsightsMapping(survey)) : mappingByType(session.answers.map((a) => ({ id: a.elementId, type: a.elementType }))),
  );
  if (session.answers.length === 0) {
    fields[`conversation_label_${mapping.noResponseLabel}`] = NO_RESPONSE_LABEL;
    return fields;
  }
  // An element asked again (a rule going back) keeps its last answer.
  const lastAnswers = new Map(session.answers.map((a) => [a.elementId, a]));
  for (const answer of lastAnswers.values()) {
    const found = survey?.elements.find((e) => e.id === answer.elementId);
    const element = found && elementNeedsInput(found) ? found : undefined;
    const measure = mapping.measures[answer.elementId];
    if (measure !== undefined && typeof answer.value === 'number' && Number.isFinite(answer.value)) {
      fields[`conversation_measure_${measure}`] = answer.value;
    }
    const label = mapping.labels[answer.elementId];
    if (label !== undefined) fields[`conversation_label_${label}`] = answerText(answer.value, element, survey);
    const attribute = mapping.attributes[answer.elementId];
    if (attribute !== undefined) fields[`conversation_attribute_${attribute}`] = answerText(answer.value, element, survey);
  }
  return fields;
}
