import type { SurveySessionEnded } from '@sms-survey/contracts';

export interface SurveyTaskAttributes {
  conversations: Record<string, string | number>;
  survey: { session_id: string; survey_id: string; survey_version: number; status: string };
}

/**
 * The attributes of the survey task that Flex Insights links to the original conversation (seed 000):
 * `conversations.conversation_id` is the original conversation's id (its task sid when it has none), and
 * numeric answers become `conversation_measure_N`, text answers `conversation_label_N`, in answer order.
 * Nothing identifying the customer (phone number, reply text of free-text answers) is included.
 */
export function surveyTaskAttributes(session: SurveySessionEnded['payload']): SurveyTaskAttributes {
  const conversations: Record<string, string | number> = {
    conversation_id: session.origin?.conversationId ?? session.origin?.taskSid ?? session.sessionId,
  };
  let measure = 0;
  let label = 0;
  for (const answer of session.answers) {
    if (typeof answer.value === 'number') conversations[`conversation_measure_${++measure}`] = answer.value;
    else if (answer.elementType !== 'free-text' && typeof answer.value === 'string') conversations[`conversation_label_${++label}`] = answer.value;
  }
  if (session.answers.length === 0) conversations[`conversation_label_${++label}`] = 'no response';
  return {
    conversations,
    survey: { session_id: session.sessionId, survey_id: session.surveyId, survey_version: session.surveyVersion, status: session.status },
  };
}
