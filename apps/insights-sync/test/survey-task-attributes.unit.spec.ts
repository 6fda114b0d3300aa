import { describe, expect, it } from 'vitest';
import type { SurveySessionEnded } from '@sms-survey/contracts';
import { surveyTaskAttributes } from '../src/survey-task-attributes.js';

const base: SurveySessionEnded['payload'] = {
  sessionId: '1b4e28ba-2fa1-41d2-883f-0016d3cca427',
  surveyId: 'csat',
  surveyVersion: 2,
  language: 'en',
  userSessionVariables: [],
  status: 'completed',
  customer: '+4791234567',
  answers: [],
  startedAt: '2026-11-21T10:00:00.000Z',
  endedAt: '2026-11-21T10:05:00.000Z',
};
const answer = (elementType: string, value: number | string, rawReply = String(value)) => ({ elementId: `e-${elementType}`, elementType, rawReply, value, answeredAt: base.endedAt });

describe('surveyTaskAttributes', () => {
  it('links to the original conversation id, else its task sid, else the session', () => {
    expect(surveyTaskAttributes({ ...base, origin: { kind: 'flex-task', taskSid: 'WT1', conversationId: 'WT0' } }).conversations.conversation_id).toBe('WT0');
    expect(surveyTaskAttributes({ ...base, origin: { kind: 'flex-task', taskSid: 'WT1' } }).conversations.conversation_id).toBe('WT1');
    expect(surveyTaskAttributes(base).conversations.conversation_id).toBe(base.sessionId);
  });

  it('maps numbers to measures and choices to labels, and keeps free text and the phone number out', () => {
    const a = surveyTaskAttributes({ ...base, answers: [answer('scale', 4), answer('free-text', 'my number is +4791234567'), answer('dropdown', 'Billing'), answer('nps', 9)] });
    expect(a.conversations).toMatchObject({ conversation_measure_1: 4, conversation_measure_2: 9, conversation_label_1: 'Billing' });
    expect(JSON.stringify(a)).not.toContain('91234567');
  });

  it('labels a session without answers "no response" and never gives it a score', () => {
    const a = surveyTaskAttributes({ ...base, status: 'expired' });
    expect(a.conversations.conversation_label_1).toBe('no response');
    expect(Object.keys(a.conversations).some((k) => k.startsWith('conversation_measure'))).toBe(false);
  });
});
