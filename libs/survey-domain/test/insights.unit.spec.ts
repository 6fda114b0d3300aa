import { describe, expect, it } from 'vitest';
import {
  type SurveyDefinitionInput,
  answerText,
  defaultInsightsMapping,
  surveyConversationFields,
  validateSurveyDefinition,
} from '../src/index.js';
import { everyTypeSurvey, loadExample, parseValid } from './fixtures.js';

function problemsOf(input: unknown): string[] {
  const result = validateSurveyDefinition(input);
  return result.ok ? [] : result.problems;
}

/** Element indexes of everyTypeSurvey: 0 welcome, 1 rating, 2 nps, 3 yesno, 4 channel, 5 topics, 6 between, 7 comment. */
function withInsights(insights: unknown): SurveyDefinitionInput {
  return { ...everyTypeSurvey(), insights } as SurveyDefinitionInput;
}

const SESSION = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';
const answer = (elementId: string, elementType: string, value: number | string | boolean | number[]) => ({ elementId, elementType, value });

describe('insights mapping: validation', () => {
  it('accepts measures for scale/nps and labels/attributes for any question, free text included', () => {
    expect(problemsOf(withInsights({ measures: { rating: 2, nps: 1 }, labels: { yesno: 1, channel: 2 }, attributes: { comment: 3, topics: 4 }, noResponseLabel: 5 }))).toEqual([]);
  });

  it('reports elements that do not exist or take no reply', () => {
    expect(problemsOf(withInsights({ measures: { nope: 1 }, labels: { welcome: 1 } }))).toEqual([
      'insights.measures.nope: no element has the id "nope"',
      'insights.labels.welcome: "welcome" is a text element, which takes no reply',
    ]);
  });

  it('takes only numbers as measures', () => {
    expect(problemsOf(withInsights({ measures: { yesno: 1, comment: 2 } }))).toEqual([
      'insights.measures.yesno: measures take numbers only, and "yesno" is a yes-no element (map it to a label or an attribute)',
      'insights.measures.comment: measures take numbers only, and "comment" is a free-text element (map it to a label or an attribute)',
    ]);
  });

  it('wants each number used once: measures among themselves, labels and attributes together', () => {
    expect(problemsOf(withInsights({ measures: { rating: 1, nps: 1 }, labels: { yesno: 1 }, attributes: { comment: 1 }, noResponseLabel: 1 }))).toEqual([
      'insights.measures.nps: conversation_measure_1 is already used by "rating"',
      'insights.attributes.comment: number 1 is already used by labels.yesno (conversation_label_1 and conversation_attribute_1 are one Flex Insights attribute)',
      'insights.noResponseLabel: number 1 is already used by labels.yesno',
    ]);
  });

  it('keeps numbers within Flex Insights\' ten fields', () => {
    expect(problemsOf(withInsights({ measures: { rating: 11 } }))[0]).toMatch(/^insights\.measures\.rating: /);
    expect(problemsOf(withInsights({ labels: { yesno: 0 } }))[0]).toMatch(/^insights\.labels\.yesno: /);
  });

  it('the example csat survey maps satisfaction to measure 2, as in seed 000', () => {
    const survey = parseValid(loadExample('csat-en-no.json'));
    expect(survey.insights?.measures).toEqual({ satisfaction: 2 });
  });
});

describe('surveyConversationFields', () => {
  const survey = parseValid(withInsights({ measures: { nps: 2 }, labels: { yesno: 1, topics: 3 }, attributes: { comment: 2 } }));

  it('links to the original conversation id, else its task sid, else the session', () => {
    const base = { sessionId: SESSION, answers: [] };
    expect(surveyConversationFields({ ...base, origin: { kind: 'flex-task', taskSid: 'WT1', conversationId: 'WT0' } }, survey).conversation_id).toBe('WT0');
    expect(surveyConversationFields({ ...base, origin: { kind: 'flex-task', taskSid: 'WT1' } }, survey).conversation_id).toBe('WT1');
    expect(surveyConversationFields(base, survey).conversation_id).toBe(SESSION);
  });

  it('puts each answer where the mapping says, as a number or as text, and leaves unmapped answers out', () => {
    const fields = surveyConversationFields(
      {
        sessionId: SESSION,
        answers: [answer('rating', 'scale', 4), answer('nps', 'nps', 3), answer('yesno', 'yes-no', false), answer('topics', 'multiple-choice', [0, 2]), answer('comment', 'free-text', 'Call me on +4791234567')],
      },
      survey,
    );
    expect(fields).toEqual({
      conversation_id: SESSION,
      conversation_measure_2: 3,
      conversation_label_1: 'no',
      conversation_label_3: 'Price, Staff',
      conversation_attribute_2: 'Call me on +4791234567',
    });
  });

  it('keeps free text out unless the survey maps it', () => {
    const unmapped = parseValid(withInsights({ measures: { nps: 1 } }));
    const fields = surveyConversationFields({ sessionId: SESSION, answers: [answer('nps', 'nps', 9), answer('comment', 'free-text', 'my number is +4791234567')] }, unmapped);
    expect(fields).toEqual({ conversation_id: SESSION, conversation_measure_1: 9 });
    expect(JSON.stringify(fields)).not.toContain('91234567');
  });

  it('an element answered twice keeps its last answer', () => {
    const fields = surveyConversationFields({ sessionId: SESSION, answers: [answer('nps', 'nps', 3), answer('nps', 'nps', 7)] }, survey);
    expect(fields.conversation_measure_2).toBe(7);
  });

  it('never scores a session without answers: "no response" on the first free label, or the configured one', () => {
    const fields = surveyConversationFields({ sessionId: SESSION, answers: [] }, survey);
    expect(fields).toEqual({ conversation_id: SESSION, conversation_label_4: 'no response' });
    const configured = parseValid(withInsights({ measures: { nps: 1 }, noResponseLabel: 7 }));
    expect(surveyConversationFields({ sessionId: SESSION, answers: [] }, configured)).toEqual({ conversation_id: SESSION, conversation_label_7: 'no response' });
  });

  it('without a mapping: measures and labels by element type, in survey order, free text never', () => {
    const plain = parseValid(everyTypeSurvey());
    expect(defaultInsightsMapping(plain)).toEqual({ measures: { rating: 1, nps: 2 }, labels: { yesno: 1, channel: 2, topics: 3 }, attributes: {} });
    // The session skipped "rating": nps still lands on measure 2.
    const fields = surveyConversationFields({ sessionId: SESSION, answers: [answer('nps', 'nps', 8), answer('channel', 'dropdown', 1), answer('comment', 'free-text', 'hi')] }, plain);
    expect(fields).toEqual({ conversation_id: SESSION, conversation_measure_2: 8, conversation_label_2: 'Chat' });
  });

  it('without the survey definition: element types in answer order, the way it always worked', () => {
    const fields = surveyConversationFields({ sessionId: SESSION, answers: [answer('a', 'scale', 4), answer('b', 'free-text', '+4791234567'), answer('c', 'yes-no', true), answer('d', 'nps', 9)] });
    expect(fields).toEqual({ conversation_id: SESSION, conversation_measure_1: 4, conversation_measure_2: 9, conversation_label_1: 'yes' });
  });
});

describe('answerText', () => {
  const survey = parseValid(everyTypeSurvey());
  const element = (id: string) => survey.elements.find((e) => e.id === id) as Parameters<typeof answerText>[1];
  it('gives yes/no, option values (else default-language text), numbers and text', () => {
    expect(answerText(true, element('yesno'), survey)).toBe('yes');
    expect(answerText(0, element('channel'), survey)).toBe('Phone');
    expect(answerText([1, 2], element('topics'), survey)).toBe('Speed, Staff');
    expect(answerText(4, element('rating'), survey)).toBe('4');
    expect(answerText('fine', element('comment'), survey)).toBe('fine');
  });
});
