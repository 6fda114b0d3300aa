import { type RecordedAnswer } from '@sms-survey/contracts';
import { type StoredAnswerValue } from './reply-parser.js';
import { type Condition, type SurveyDefinition } from './survey-definition.js';
import { conditionMatches } from './survey-session.js';

/** `type` of every follow-up task, for workflow filters (`type == "survey-follow-up"`) and reports. */
export const FOLLOW_UP_TASK_TYPE = 'survey-follow-up';
/** The task's `name` (Flex shows it on the task): the customer's name is not known. */
export const DEFAULT_FOLLOW_UP_TASK_NAME = 'Survey follow-up';

/** What a follow-up is decided on and built from: one recorded answer and its session. */
export interface AnswerForFollowUp {
  sessionId: string;
  surveyId: string;
  surveyVersion: number;
  language: string;
  clientReference?: string | undefined;
  origin?: { kind: string; taskSid?: string | undefined; conversationId?: string | undefined } | undefined;
  /** The customer's phone number, to call back. */
  customer: string;
  answer: Pick<RecordedAnswer, 'elementId' | 'value' | 'rawReply'>;
  /** Every answer of the session so far, this one included. */
  answersSoFar?: readonly Pick<RecordedAnswer, 'elementId' | 'value'>[] | undefined;
}

export interface FollowUpTaskRequest {
  workflowSid: string;
  taskChannel: string;
  priority: number;
  timeout: number;
  attributes: Record<string, unknown>;
}

/** Whether this answer asks for a follow-up under the survey's `followUp` block. */
export function followUpTriggered(survey: SurveyDefinition, answer: { elementId: string; value: StoredAnswerValue }): boolean {
  const followUp = survey.followUp;
  return followUp !== undefined && followUp.when.elementId === answer.elementId && conditionMatches(followUp.when.condition, answer.value);
}

export function describeCondition(condition: Condition): string {
  switch (condition.op) {
    case 'any':
      return 'any answer';
    case 'equals':
      return `= ${JSON.stringify(condition.value)}`;
    case 'one-of':
      return `one of ${condition.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'range':
      return `from ${condition.min} to ${condition.max}`;
    case 'lt':
      return `< ${condition.value}`;
    case 'lte':
      return `≤ ${condition.value}`;
    case 'gt':
      return `> ${condition.value}`;
    case 'gte':
      return `≥ ${condition.value}`;
  }
}

/**
 * The TaskRouter task that asks an agent to call the customer back (seed 004's Send to Flex options). Attributes:
 * the survey's static `followUp.attributes`, then `type`, `name`, `callback` (the customer's phone number: it is
 * there only because the survey author configured a follow-up, whose whole point is a call back), `answers`
 * (element id → value, so far), `survey`, and the link to the original task: `origin` and
 * `conversations.conversation_id` (Flex Insights then shows the follow-up as part of that conversation).
 * Throws when the survey has no follow-up; callers check `followUpTriggered` first.
 */
export function followUpTask(survey: SurveyDefinition, input: AnswerForFollowUp): FollowUpTaskRequest {
  const followUp = survey.followUp;
  if (!followUp) throw new Error(`survey ${survey.id} has no followUp block`);
  const soFar = input.answersSoFar && input.answersSoFar.length > 0 ? input.answersSoFar : [input.answer];
  const answers: Record<string, StoredAnswerValue> = {};
  for (const a of soFar) answers[a.elementId] = a.value;
  answers[input.answer.elementId] = input.answer.value;

  const originTask = input.origin?.kind === 'flex-task' ? input.origin : undefined;
  const conversationId = originTask?.conversationId ?? originTask?.taskSid;
  const attributes: Record<string, unknown> = {
    name: DEFAULT_FOLLOW_UP_TASK_NAME,
    ...followUp.attributes,
    type: FOLLOW_UP_TASK_TYPE,
    callback: {
      phone_number: input.customer,
      reason: `"${input.answer.elementId}" answered ${JSON.stringify(input.answer.value)} (follow-up when ${describeCondition(followUp.when.condition)})`,
    },
    answers,
    survey: {
      session_id: input.sessionId,
      survey_id: input.surveyId,
      survey_version: input.surveyVersion,
      element_id: input.answer.elementId,
      language: input.language,
      ...(input.clientReference !== undefined && { client_reference: input.clientReference }),
    },
    ...(originTask && {
      origin: { ...(originTask.taskSid !== undefined && { task_sid: originTask.taskSid }), ...(originTask.conversationId !== undefined && { conversation_id: originTask.conversationId }) },
    }),
    ...(conversationId !== undefined && { conversations: { conversation_id: conversationId } }),
  };
  return { workflowSid: followUp.workflowSid, taskChannel: followUp.taskChannel, priority: followUp.priority, timeout: followUp.timeout, attributes };
}
