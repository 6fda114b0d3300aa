import { describe, expect, it } from 'vitest';
import {
  type SurveyDefinitionInput,
  FOLLOW_UP_TASK_TYPE,
  MAX_TASK_ATTRIBUTES_BYTES,
  followUpTask,
  followUpTriggered,
  taskRequestProblems,
  validateSurveyDefinition,
} from '../src/index.js';
import { everyTypeSurvey, parseValid } from './fixtures.js';

const WORKFLOW = 'WW0123456789abcdef0123456789abcdef';

function problemsOf(input: unknown): string[] {
  const result = validateSurveyDefinition(input);
  return result.ok ? [] : result.problems;
}

function withFollowUp(followUp: unknown): SurveyDefinitionInput {
  return { ...everyTypeSurvey(), followUp } as SurveyDefinitionInput;
}

const npsFollowUp = { when: { elementId: 'nps', condition: { op: 'lte', value: 6 } }, workflowSid: WORKFLOW, taskChannel: 'voice' };

describe('followUp block: validation', () => {
  it('accepts a follow-up and fills in priority 0 and timeout 3600', () => {
    const survey = parseValid(withFollowUp(npsFollowUp));
    expect(survey.followUp).toEqual({ ...npsFollowUp, priority: 0, timeout: 3600 });
  });

  it('checks the element, the condition against it, the workflow sid, priority, timeout and reserved attributes', () => {
    expect(problemsOf(withFollowUp({ ...npsFollowUp, when: { elementId: 'nope', condition: { op: 'any' } } }))).toEqual([
      'followUp.when.elementId: no element has the id "nope"',
    ]);
    expect(problemsOf(withFollowUp({ ...npsFollowUp, when: { elementId: 'welcome', condition: { op: 'any' } } }))).toEqual([
      'followUp.when.elementId: "welcome" is a text element, which takes no reply',
    ]);
    expect(problemsOf(withFollowUp({ ...npsFollowUp, when: { elementId: 'nps', condition: { op: 'equals', value: 11 } } }))).toEqual([
      'followUp.when.condition.value: 11 is not a whole number from 0 to 10, so it never matches',
    ]);
    expect(problemsOf(withFollowUp({ ...npsFollowUp, when: { elementId: 'comment', condition: { op: 'any' } } }))).toEqual([]);
    expect(problemsOf(withFollowUp({ ...npsFollowUp, when: { elementId: 'comment', condition: { op: 'lt', value: 3 } } }))).toEqual([
      'followUp.when.condition: "lt" does not apply to free-text element "comment"',
    ]);
    expect(problemsOf(withFollowUp({ ...npsFollowUp, workflowSid: 'WW1' }))[0]).toMatch(/^followUp\.workflowSid: must be a TaskRouter workflow sid/);
    expect(problemsOf(withFollowUp({ ...npsFollowUp, timeout: 1_209_601 }))[0]).toMatch(/^followUp\.timeout: /);
    expect(problemsOf(withFollowUp({ ...npsFollowUp, timeout: 0 }))[0]).toMatch(/^followUp\.timeout: /);
    expect(problemsOf(withFollowUp({ ...npsFollowUp, priority: -1 }))[0]).toMatch(/^followUp\.priority: /);
    expect(problemsOf(withFollowUp({ ...npsFollowUp, priority: 1.5 }))[0]).toMatch(/^followUp\.priority: /);
    expect(problemsOf(withFollowUp({ ...npsFollowUp, attributes: { type: 'x', callback: 1, skill: 'retention' } }))).toEqual([
      'followUp.attributes.type: "type" is set by the follow-up task itself',
      'followUp.attributes.callback: "callback" is set by the follow-up task itself',
    ]);
  });
});

describe('followUpTriggered', () => {
  const survey = parseValid(withFollowUp(npsFollowUp));
  it('matches the configured element when its condition holds', () => {
    expect(followUpTriggered(survey, { elementId: 'nps', value: 3 })).toBe(true);
    expect(followUpTriggered(survey, { elementId: 'nps', value: 6 })).toBe(true);
    expect(followUpTriggered(survey, { elementId: 'nps', value: 9 })).toBe(false);
    expect(followUpTriggered(survey, { elementId: 'rating', value: 1 })).toBe(false);
  });
  it('never matches without a followUp block', () => {
    expect(followUpTriggered(parseValid(everyTypeSurvey()), { elementId: 'nps', value: 0 })).toBe(false);
  });
  it('reuses rule conditions: one-of on a dropdown index, equals on yes-no', () => {
    const dropdown = parseValid(withFollowUp({ ...npsFollowUp, when: { elementId: 'channel', condition: { op: 'one-of', values: [1] } } }));
    expect(followUpTriggered(dropdown, { elementId: 'channel', value: 1 })).toBe(true);
    expect(followUpTriggered(dropdown, { elementId: 'channel', value: 0 })).toBe(false);
    const yesNo = parseValid(withFollowUp({ ...npsFollowUp, when: { elementId: 'yesno', condition: { op: 'equals', value: false } } }));
    expect(followUpTriggered(yesNo, { elementId: 'yesno', value: false })).toBe(true);
  });
});

describe('followUpTask', () => {
  const survey = parseValid(withFollowUp({ ...npsFollowUp, priority: 50, timeout: 7200, attributes: { skill: 'retention', name: 'NPS call back' } }));
  const input = {
    sessionId: '1b4e28ba-2fa1-41d2-883f-0016d3cca427',
    surveyId: 'every-type',
    surveyVersion: 3,
    language: 'en',
    clientReference: 'CASE-9',
    origin: { kind: 'flex-task', taskSid: 'WT1', conversationId: 'WT0' },
    customer: '+4791234567',
    answer: { elementId: 'nps', value: 3, rawReply: '3' },
    answersSoFar: [{ elementId: 'rating', value: 2 }, { elementId: 'nps', value: 3 }],
  };

  it('routes with the configured workflow, channel, priority and timeout', () => {
    expect(followUpTask(survey, input)).toMatchObject({ workflowSid: WORKFLOW, taskChannel: 'voice', priority: 50, timeout: 7200 });
  });

  it('carries what the agent needs: the number to call, why, the answers so far, the link to the original task', () => {
    expect(followUpTask(survey, input).attributes).toEqual({
      skill: 'retention',
      name: 'NPS call back',
      type: FOLLOW_UP_TASK_TYPE,
      callback: { phone_number: '+4791234567', reason: '"nps" answered 3 (follow-up when ≤ 6)' },
      answers: { rating: 2, nps: 3 },
      survey: { session_id: input.sessionId, survey_id: 'every-type', survey_version: 3, element_id: 'nps', language: 'en', client_reference: 'CASE-9' },
      origin: { task_sid: 'WT1', conversation_id: 'WT0' },
      conversations: { conversation_id: 'WT0' },
    });
  });

  it('names the task "Survey follow-up" by default, and has no link for a session sent through the API', () => {
    const plain = parseValid(withFollowUp(npsFollowUp));
    const { attributes } = followUpTask(plain, { ...input, origin: { kind: 'api' }, answersSoFar: undefined, clientReference: undefined });
    expect(attributes).toMatchObject({ name: 'Survey follow-up', answers: { nps: 3 } });
    expect(attributes).not.toHaveProperty('origin');
    expect(attributes).not.toHaveProperty('conversations');
    expect(attributes.survey).not.toHaveProperty('client_reference');
  });

  it('passes the TaskRouter limits check', () => {
    const task = followUpTask(survey, input);
    expect(taskRequestProblems(task)).toEqual([]);
  });
});

describe('taskRequestProblems (TaskRouter limits)', () => {
  it('accepts a normal request, and the limits themselves', () => {
    expect(taskRequestProblems({ attributes: { a: 1 }, priority: 0, timeout: 3600 })).toEqual([]);
    expect(taskRequestProblems({ attributes: {}, priority: 2 ** 31 - 1, timeout: 1_209_600 })).toEqual([]);
    expect(taskRequestProblems({ attributes: {}, timeout: 1 })).toEqual([]);
    const justFits = { x: 'a'.repeat(MAX_TASK_ATTRIBUTES_BYTES - '{"x":""}'.length) };
    expect(taskRequestProblems({ attributes: justFits })).toEqual([]);
  });

  it('rejects attributes over 16 KB of UTF-8 JSON, counting bytes rather than characters', () => {
    const tooBig = { x: 'a'.repeat(MAX_TASK_ATTRIBUTES_BYTES) };
    expect(taskRequestProblems({ attributes: tooBig })).toEqual([`attributes: ${MAX_TASK_ATTRIBUTES_BYTES + 8} bytes of JSON; TaskRouter accepts at most 16384 (16 KB)`]);
    const multibyte = { x: 'ø'.repeat(9000) }; // 9000 characters, 18000 bytes
    expect(taskRequestProblems({ attributes: multibyte })[0]).toMatch(/^attributes: 18008 bytes/);
  });

  it('rejects attributes that are not a JSON object', () => {
    expect(taskRequestProblems({ attributes: [1] })).toEqual(['attributes: must be a JSON object']);
    expect(taskRequestProblems({ attributes: null })).toEqual(['attributes: must be a JSON object']);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(taskRequestProblems({ attributes: cyclic })[0]).toMatch(/^attributes: cannot be written as JSON/);
  });

  it('rejects a priority or timeout out of range, all problems at once', () => {
    expect(taskRequestProblems({ attributes: {}, priority: -1, timeout: 0 })).toEqual([
      'priority: -1 is not an integer from 0 to 2147483647',
      'timeout: 0 is not a whole number of seconds from 1 to 1209600 (two weeks)',
    ]);
    expect(taskRequestProblems({ attributes: {}, priority: 1.5, timeout: 1_209_601 })).toHaveLength(2);
  });
});
