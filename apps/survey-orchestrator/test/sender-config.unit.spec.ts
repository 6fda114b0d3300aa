import { describe, expect, it } from 'vitest';
import { ConfigError } from '@sms-survey/service-kit';
import { loadOrchestratorConfig } from '../src/index.js';

const MG = 'MG0123456789abcdef0123456789abcdef';

describe('SMS_SENDER_NUMBER: a number or a Messaging Service, never an alphanumeric id', () => {
  it('takes a Messaging Service sid', () => {
    expect(loadOrchestratorConfig({ SMS_SENDER_NUMBER: MG }).SMS_SENDER_NUMBER).toBe(MG);
    expect(loadOrchestratorConfig({ SMS_SENDER_NUMBER: '+14155550100' }).SMS_SENDER_NUMBER).toBe('+14155550100');
  });

  it('refuses an alphanumeric sender id at start, saying why', () => {
    let error: unknown;
    try {
      loadOrchestratorConfig({ SMS_SENDER_NUMBER: 'ACME' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).toMatch(/SMS_SENDER_NUMBER.*alphanumeric sender id cannot receive replies/s);
  });

  it('refuses a Flex policy whose senderNumber is alphanumeric', () => {
    expect(() => loadOrchestratorConfig({ FLEX_SURVEY_POLICIES: JSON.stringify([{ surveyId: 'csat', senderNumber: 'ACME' }]) })).toThrow(/senderNumber/);
    expect(loadOrchestratorConfig({ FLEX_SURVEY_POLICIES: JSON.stringify([{ surveyId: 'csat', senderNumber: MG }]) }).flexSurveyPolicies[0]?.senderNumber).toBe(MG);
  });
});
