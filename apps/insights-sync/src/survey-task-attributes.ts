import type { SurveySessionEnded } from '@sms-survey/contracts';
import { surveyConversationFields, type ConversationFields, type SurveyDefinition } from '@sms-survey/survey-domain';

export interface SurveyTaskAttributes {
  conversations: ConversationFields;
  survey: { session_id: string; survey_id: string; survey_version: number; status: string };
}

/**
 * The attributes of the survey task that Flex Insights links to the original conversation (seed 000):
 * `conversations` as the survey's insights mapping says (see `surveyConversationFields` in survey-domain), and
 * which session it was. Nothing identifying the customer: the session's phone number is never read, and
 * free-text answers appear only where the survey maps them.
 */
export function surveyTaskAttributes(session: SurveySessionEnded['payload'], survey?: SurveyDefinition): SurveyTaskAttributes {
  return {
    conversations: surveyConversationFields(session, survey),
    survey: { session_id: session.sessionId, survey_id: session.surveyId, survey_version: session.surveyVersion, status: session.status },
  };
}
