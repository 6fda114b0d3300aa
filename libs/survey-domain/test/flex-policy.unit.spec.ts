import { describe, expect, it } from 'vitest';
import {
  customerAddressFromTask,
  findFlexPolicy,
  normalizeCustomerAddress,
  parseFlexSurveyPolicies,
  planFlexSurvey,
  policyMatches,
  taskAttributeAt,
  type FlexSurveyPolicy,
  type FlexSurveyPolicyInput,
  type FlexTask,
} from '../src/index.js';

const sid = (prefix: string, digit: string) => prefix + digit.repeat(32);
const TASK = sid('WT', 'a');
const QUEUE = sid('WQ', 'b');
const WORKFLOW = sid('WW', 'c');
const WORKER = sid('WK', 'd');
const NOW = new Date('2026-11-21T10:00:00.000Z');

function policies(...input: FlexSurveyPolicyInput[]): FlexSurveyPolicy[] {
  const parsed = parseFlexSurveyPolicies(input);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.policies;
}

/** A task event as the gateway publishes it for a Flex Conversations SMS task. */
function task(overrides: Partial<FlexTask> = {}): FlexTask {
  return {
    eventType: 'task.wrapup',
    taskSid: TASK,
    workspaceSid: sid('WS', 'e'),
    taskAttributes: { from: '+4791234567', customerAddress: '+4791234567', channelType: 'sms', name: '+4791234567', conversations: { conversation_id: sid('WT', 'f') } },
    taskQueueSid: QUEUE,
    taskQueueName: 'Support',
    workflowSid: WORKFLOW,
    workflowName: 'Assign to Anyone',
    taskChannelUniqueName: 'sms',
    workerSid: WORKER,
    workerName: 'alice',
    occurredAt: NOW.toISOString(),
    ...overrides,
  };
}

describe('parseFlexSurveyPolicies', () => {
  it('fills in the defaults: enabled, wrap-up trigger, 24 h expiry, match everything', () => {
    expect(policies({ surveyId: 'csat' })).toEqual([{ surveyId: 'csat', enabled: true, trigger: 'wrapup', expiryHours: 24, match: {} }]);
  });

  it('names every problem by its path, and refuses unknown keys (a typo would otherwise match every task)', () => {
    const result = parseFlexSurveyPolicies([
      { surveyId: 'csat', match: { queu: 'Support' } },
      { surveyId: '', trigger: 'accepted', fatigueDays: 0, senderNumber: '4759440000' },
    ]);
    expect(result.ok).toBe(false);
    const problems = (result as { problems: string[] }).problems.join('\n');
    expect(problems).toMatch(/^0\.match: .*queu/m);
    expect(problems).toMatch(/^1\.surveyId: /m);
    expect(problems).toMatch(/^1\.trigger: /m);
    expect(problems).toMatch(/^1\.fatigueDays: /m);
    expect(problems).toMatch(/^1\.senderNumber: .*E\.164/m);
    expect(parseFlexSurveyPolicies([{ surveyId: 'csat', senderNumber: 'ACME' }])).toMatchObject({ ok: false, problems: [expect.stringMatching(/^0\.senderNumber: .*alphanumeric sender id cannot receive replies/)] });
    expect(parseFlexSurveyPolicies([{ surveyId: 'csat', senderNumber: 'MG0123456789abcdef0123456789abcdef' }])).toMatchObject({ ok: true });
    expect(parseFlexSurveyPolicies({ surveyId: 'csat' }).ok).toBe(false);
  });
});

describe('policy matching', () => {
  it('matches a queue or a workflow by friendly name (any case) or sid, and a channel by channelType or TaskChannel', () => {
    const t = task();
    expect(policyMatches({ match: { queue: 'Support' } }, t)).toBe(true);
    expect(policyMatches({ match: { queue: 'support' } }, t)).toBe(true);
    expect(policyMatches({ match: { queue: QUEUE } }, t)).toBe(true);
    expect(policyMatches({ match: { queue: 'Sales' } }, t)).toBe(false);
    expect(policyMatches({ match: { workflow: 'Assign to Anyone' } }, t)).toBe(true);
    expect(policyMatches({ match: { workflow: WORKFLOW } }, t)).toBe(true);
    expect(policyMatches({ match: { workflow: 'Other' } }, t)).toBe(false);
    expect(policyMatches({ match: { channel: 'sms' } }, t)).toBe(true);
    expect(policyMatches({ match: { channel: 'voice' } }, t)).toBe(false);
    // A voice task has no channelType attribute; its TaskChannel is `voice`.
    expect(policyMatches({ match: { channel: 'voice' } }, task({ taskAttributes: { from: '+4791234567' }, taskChannelUniqueName: 'voice' }))).toBe(true);
    // WhatsApp on Flex Conversations: channelType whatsapp on the chat TaskChannel.
    const whatsapp = task({ taskAttributes: { channelType: 'whatsapp' }, taskChannelUniqueName: 'chat' });
    expect(policyMatches({ match: { channel: 'whatsapp' } }, whatsapp)).toBe(true);
    expect(policyMatches({ match: { channel: 'chat' } }, whatsapp)).toBe(true);
    expect(policyMatches({ match: { channel: 'sms' } }, whatsapp)).toBe(false);
  });

  it('needs every criterion given; an empty match fits every task; a task without a queue fits no queue criterion', () => {
    expect(policyMatches({ match: { queue: 'Support', channel: 'sms' } }, task())).toBe(true);
    expect(policyMatches({ match: { queue: 'Support', channel: 'voice' } }, task())).toBe(false);
    expect(policyMatches({ match: {} }, task())).toBe(true);
    expect(policyMatches({ match: { queue: 'Support' } }, task({ taskQueueSid: undefined, taskQueueName: undefined }))).toBe(false);
  });

  it('first match wins, a disabled one included', () => {
    const list = policies(
      { match: { queue: 'VIP' }, surveyId: 'vip', enabled: false },
      { match: { channel: 'sms' }, surveyId: 'sms-csat' },
      { surveyId: 'catch-all' },
    );
    expect(findFlexPolicy(list, task())?.policy.surveyId).toBe('sms-csat');
    expect(findFlexPolicy(list, task({ taskQueueName: 'VIP' }))).toMatchObject({ index: 0, policy: { surveyId: 'vip', enabled: false } });
    expect(findFlexPolicy(list, task({ taskAttributes: {}, taskChannelUniqueName: 'voice' }))?.index).toBe(2);
    expect(findFlexPolicy([], task())).toBeUndefined();
  });
});

describe('the customer address', () => {
  it('takes customerAddress, else from, without a whatsapp: or sms: prefix', () => {
    expect(customerAddressFromTask({ customerAddress: '+4791234567', from: '+4700000000' })).toEqual({ ok: true, customer: '+4791234567', attribute: 'customerAddress' });
    expect(customerAddressFromTask({ from: '+14155550123' })).toEqual({ ok: true, customer: '+14155550123', attribute: 'from' });
    expect(customerAddressFromTask({ customerAddress: 'whatsapp:+4791234567' })).toMatchObject({ ok: true, customer: '+4791234567' });
    expect(customerAddressFromTask({ from: 'sms:+4791234567' })).toMatchObject({ ok: true, customer: '+4791234567' });
    expect(customerAddressFromTask({ from: ' WhatsApp:+4791234567 ' })).toMatchObject({ ok: true, customer: '+4791234567' });
  });

  it('falls back to from when customerAddress is not a phone number', () => {
    expect(customerAddressFromTask({ customerAddress: 'chat-identity-42', from: '+4791234567' })).toMatchObject({ ok: true, customer: '+4791234567', attribute: 'from' });
  });

  it('is missing, or not E.164, for chat visitors and malformed numbers', () => {
    expect(customerAddressFromTask({})).toEqual({ ok: false, reason: 'no-customer-address' });
    expect(customerAddressFromTask({ from: '', customerAddress: 42 })).toEqual({ ok: false, reason: 'no-customer-address' });
    expect(customerAddressFromTask({ from: 'Jane Doe' })).toEqual({ ok: false, reason: 'customer-address-not-e164' });
    expect(customerAddressFromTask({ customerAddress: '91234567' })).toEqual({ ok: false, reason: 'customer-address-not-e164' });
    expect(customerAddressFromTask({ customerAddress: 'messenger:12345678' })).toEqual({ ok: false, reason: 'customer-address-not-e164' });
    expect(normalizeCustomerAddress('+47 912 34 567')).toBeUndefined();
    expect(normalizeCustomerAddress('tel:+4791234567')).toBe('+4791234567');
  });

  it('reads nested attributes by a dotted path', () => {
    const attributes = { customers: { language: 'no' }, list: ['x'] };
    expect(taskAttributeAt(attributes, 'customers.language')).toBe('no');
    expect(taskAttributeAt(attributes, 'customers.missing.deeper')).toBeUndefined();
    expect(taskAttributeAt(attributes, 'list.0')).toBeUndefined();
  });
});

describe('planFlexSurvey', () => {
  const list = policies({ name: 'support sms', match: { queue: 'Support', channel: 'sms' }, surveyId: 'csat', languageAttribute: 'customers.language', fatigueDays: 30, expiryHours: 2 });

  it('plans the survey: customer, language, expiry, user variables from the task, and the origin with the original conversation', () => {
    const plan = planFlexSurvey(list, task({ taskAttributes: { ...task().taskAttributes, customers: { language: 'nb-NO' } } }), NOW);
    expect(plan).toEqual({
      kind: 'start',
      policy: list[0],
      policyIndex: 0,
      customer: '+4791234567',
      surveyId: 'csat',
      language: 'nb-NO',
      expiresAt: new Date('2026-11-21T12:00:00.000Z'),
      userSessionVariables: [
        { key: 'agentId', value: WORKER },
        { key: 'queueKey', value: 'Support' },
        { key: 'consumerSession', value: TASK },
        { key: 'consumerChannel', value: 'sms' },
        { key: 'consumerPhone', value: '+4791234567' },
      ],
      origin: { kind: 'flex-task', taskSid: TASK, conversationId: sid('WT', 'f') },
    });
  });

  it('falls back to the worker name and the queue sid, leaves out what the task lacks, and has no conversation id when the task has none', () => {
    const plan = planFlexSurvey(
      policies({ surveyId: 'csat' }),
      task({ workerSid: undefined, taskQueueName: undefined, taskAttributes: { from: '+14155550123' }, taskChannelUniqueName: undefined }),
      NOW,
    );
    expect(plan).toMatchObject({ kind: 'start', customer: '+14155550123', origin: { kind: 'flex-task', taskSid: TASK } });
    const start = plan as Extract<typeof plan, { kind: 'start' }>;
    expect(start.origin).not.toHaveProperty('conversationId');
    expect(start).not.toHaveProperty('language');
    expect(start.userSessionVariables).toEqual([
      { key: 'agentId', value: 'alice' },
      { key: 'queueKey', value: QUEUE },
      { key: 'consumerSession', value: TASK },
      { key: 'consumerPhone', value: '+14155550123' },
    ]);
  });

  it('uses the plugin\'s sender number over the policy\'s', () => {
    const withSender = policies({ surveyId: 'csat', senderNumber: '+4759440000' });
    expect(planFlexSurvey(withSender, task(), NOW)).toMatchObject({ senderNumber: '+4759440000' });
    expect(planFlexSurvey(withSender, task({ eventType: 'plugin.transfer', surveySenderNumber: '+4759449999' }), NOW)).toMatchObject({ senderNumber: '+4759449999' });
    expect(planFlexSurvey(policies({ surveyId: 'csat' }), task(), NOW)).not.toHaveProperty('senderNumber');
  });

  it('starts on wrap-up or completion with the wrapup trigger, only on completion with the completed trigger, never on cancellation', () => {
    const wrapup = policies({ surveyId: 'csat' });
    const completed = policies({ surveyId: 'csat', trigger: 'completed' });
    expect(planFlexSurvey(wrapup, task({ eventType: 'task.wrapup' }), NOW).kind).toBe('start');
    expect(planFlexSurvey(wrapup, task({ eventType: 'task.completed' }), NOW).kind).toBe('start');
    expect(planFlexSurvey(wrapup, task({ eventType: 'plugin.transfer' }), NOW).kind).toBe('start');
    expect(planFlexSurvey(completed, task({ eventType: 'task.wrapup' }), NOW)).toEqual({ kind: 'skip', reason: 'not-the-trigger', policyIndex: 0 });
    expect(planFlexSurvey(completed, task({ eventType: 'task.completed' }), NOW).kind).toBe('start');
    expect(planFlexSurvey(wrapup, task({ eventType: 'task.canceled' }), NOW)).toEqual({ kind: 'skip', reason: 'task-canceled' });
  });

  it('skips tasks no policy matches, disabled policies, and customers without a phone number', () => {
    expect(planFlexSurvey(list, task({ taskQueueName: 'Sales', taskQueueSid: undefined }), NOW)).toEqual({ kind: 'skip', reason: 'no-matching-policy' });
    expect(planFlexSurvey([], task(), NOW)).toEqual({ kind: 'skip', reason: 'no-matching-policy' });
    expect(planFlexSurvey(policies({ surveyId: 'csat', enabled: false }), task(), NOW)).toEqual({ kind: 'skip', reason: 'policy-disabled', policyIndex: 0 });
    expect(planFlexSurvey(policies({ surveyId: 'csat' }), task({ taskAttributes: { from: 'Jane' } }), NOW)).toEqual({ kind: 'skip', reason: 'customer-address-not-e164', policyIndex: 0 });
    expect(planFlexSurvey(policies({ surveyId: 'csat' }), task({ taskAttributes: {} }), NOW)).toEqual({ kind: 'skip', reason: 'no-customer-address', policyIndex: 0 });
  });

  it('ignores a language attribute that is not a BCP 47 tag', () => {
    const byLanguage = policies({ surveyId: 'csat', languageAttribute: 'language' });
    expect(planFlexSurvey(byLanguage, task({ taskAttributes: { from: '+4791234567', language: 'a-very-long-language-tag' } }), NOW)).not.toHaveProperty('language');
    expect(planFlexSurvey(byLanguage, task({ taskAttributes: { from: '+4791234567', language: 7 } }), NOW)).not.toHaveProperty('language');
    expect(planFlexSurvey(byLanguage, task({ taskAttributes: { from: '+4791234567', language: 'Swedish!' } }), NOW)).not.toHaveProperty('language');
    expect(planFlexSurvey(byLanguage, task({ taskAttributes: { from: '+4791234567', language: ' en ' } }), NOW)).toMatchObject({ language: 'en' });
  });

  it.each([
    ['sv-se', 'sv-SE'],
    ['en_GB', 'en-GB'],
    ['PT-BR', 'pt-BR'],
    ['nb', 'nb'],
  ])('given the task language %j, then the plan asks for %s (the survey picks from its languages)', (attribute, expected) => {
    const byLanguage = policies({ surveyId: 'csat', languageAttribute: 'language' });
    expect(planFlexSurvey(byLanguage, task({ taskAttributes: { from: '+4791234567', language: attribute } }), NOW)).toMatchObject({ language: expected });
  });
});
