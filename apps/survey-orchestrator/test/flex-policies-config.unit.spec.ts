import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@sms-survey/service-kit';
import { loadOrchestratorConfig } from '../src/index.js';

const POLICIES = [{ match: { queue: 'Support', channel: 'SMS' }, surveyId: 'csat', fatigueDays: 30 }];

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadOrchestratorConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('FLEX_SURVEY_POLICIES', () => {
  it('is none by default', () => {
    expect(loadOrchestratorConfig({}).flexSurveyPolicies).toEqual([]);
  });

  it('is read from the variable or from a file, validated, with defaults filled in', () => {
    const expected = [{ match: { queue: 'Support', channel: 'sms' }, surveyId: 'csat', fatigueDays: 30, enabled: true, trigger: 'wrapup', expiryHours: 24 }];
    expect(loadOrchestratorConfig({ FLEX_SURVEY_POLICIES: JSON.stringify(POLICIES) }).flexSurveyPolicies).toEqual(expected);
    const file = join(mkdtempSync(join(tmpdir(), 'flex-policies-')), 'policies.json');
    writeFileSync(file, JSON.stringify(POLICIES));
    expect(loadOrchestratorConfig({ FLEX_SURVEY_POLICIES_FILE: file }).flexSurveyPolicies).toEqual(expected);
  });

  it('refuses to start on bad JSON, an invalid policy, an unreadable file, or both variables, naming the problem', () => {
    expect(problemsOf({ FLEX_SURVEY_POLICIES: '[{' })).toEqual([expect.stringMatching(/^FLEX_SURVEY_POLICIES: must be JSON/)]);
    expect(problemsOf({ FLEX_SURVEY_POLICIES: JSON.stringify([{ surveyId: 'csat', trigger: 'accepted' }]) })).toEqual([
      expect.stringMatching(/^FLEX_SURVEY_POLICIES: policy 0\.trigger: /),
    ]);
    expect(problemsOf({ FLEX_SURVEY_POLICIES_FILE: '/no/such/policies.json' })).toEqual([expect.stringMatching(/^FLEX_SURVEY_POLICIES_FILE: cannot read \/no\/such\/policies\.json/)]);
    expect(problemsOf({ FLEX_SURVEY_POLICIES: '[]', FLEX_SURVEY_POLICIES_FILE: '/tmp/x.json' })).toEqual([expect.stringMatching(/not both/)]);
  });
});
