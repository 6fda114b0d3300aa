import { describe, expect, it } from 'vitest';
import {
  decideFlexSurvey,
  decideInbound,
  decideSendResult,
  decideStatusReport,
  decideSurveyStart,
  notFoundReply,
  parseFlexSurveyPolicies,
  planFlexSurvey,
  type FlexSurveyStart,
  type SessionState,
} from '../src/index.js';
import { NOW, loadExample, parseValid } from './fixtures.js';

// The orchestrator's decisions, as pure functions of the facts it loaded: given the facts, when the event
// comes, then the decision (apps/survey-orchestrator applies it).

const survey = parseValid(loadExample('csat-en-no.json'));
const question = survey.elements.find((e) => e.type !== 'text')!;
const active: SessionState = { status: 'active', currentElementId: question.id, language: 'no', invalidReplies: 0 };
const facts = { body: '5', suppressed: false, session: { state: active, survey }, now: NOW };

describe('decideInbound', () => {
  it('given an active session, when the customer answers, then the engine decides the reply', () => {
    const decision = decideInbound(facts);
    expect(decision.kind).toBe('reply');
    if (decision.kind === 'reply') expect(decision.reply).toMatchObject({ kind: 'answered', answer: { elementId: question.id, value: 5 } });
  });

  it('given anything, when the customer texts STOP (or Twilio says OptOutType=STOP), then they opt out', () => {
    expect(decideInbound({ ...facts, body: 'stop' })).toEqual({ kind: 'opt-out' });
    expect(decideInbound({ ...facts, body: 'whatever', optOutType: 'STOP' })).toEqual({ kind: 'opt-out' });
    expect(decideInbound({ ...facts, body: 'STOP', suppressed: true, session: undefined })).toEqual({ kind: 'opt-out' });
  });

  it('given a suppressed customer, when they text START they opt back in; anything else is ignored', () => {
    expect(decideInbound({ ...facts, body: 'START', suppressed: true })).toEqual({ kind: 'opt-in' });
    expect(decideInbound({ ...facts, suppressed: true })).toEqual({ kind: 'ignore', reason: 'suppressed' });
    expect(decideInbound({ ...facts, body: 'START' }).kind).toBe('reply'); // not suppressed: START is just a reply
  });

  it('given an active session, when the customer texts HELP, then nothing happens (Twilio answers it)', () => {
    expect(decideInbound({ ...facts, body: 'HELP' })).toEqual({ kind: 'ignore', reason: 'help' });
  });

  it('given no session, or an expired or superseded one, then one "not found" SMS, in the survey language when known', () => {
    expect(decideInbound({ ...facts, session: undefined })).toEqual({ kind: 'not-found', body: notFoundReply(undefined) });
    expect(decideInbound({ ...facts, session: undefined, defaultNotFoundText: 'Nothing open.' })).toEqual({ kind: 'not-found', body: 'Nothing open.' });
    for (const status of ['expired', 'superseded'] as const) {
      const ended = { state: { ...active, status, currentElementId: null }, survey };
      expect(decideInbound({ ...facts, session: ended })).toEqual({ kind: 'not-found', body: notFoundReply(survey, 'no') });
    }
  });

  it('given a completed session, then the engine answers "unavailable"', () => {
    const decision = decideInbound({ ...facts, session: { state: { ...active, status: 'completed', currentElementId: null }, survey } });
    expect(decision.kind === 'reply' && decision.reply.kind).toBe('unavailable');
  });
});

describe('decideStatusReport and decideSendResult', () => {
  it('given a stored status, then a report replaces it only when it comes later in the message life', () => {
    expect(decideStatusReport('requested', { status: 'sent' })).toEqual({ status: 'sent' });
    expect(decideStatusReport('delivered', { status: 'sent' })).toEqual({});
    expect(decideStatusReport('sent', { status: 'sent' })).toEqual({});
    expect(decideStatusReport(undefined, { status: 'delivered' })).toEqual({});
  });

  it('when an SMS ends undelivered or failed, then the session fails; with 21610 the customer is suppressed instead', () => {
    expect(decideStatusReport('sent', { status: 'undelivered', errorCode: 30003 })).toEqual({
      status: 'undelivered',
      consequence: { kind: 'fail-session', reason: 'SMS undelivered (Twilio error 30003)' },
    });
    expect(decideStatusReport('sent', { status: 'failed', errorCode: 21610 })).toEqual({
      status: 'failed',
      consequence: { kind: 'opt-out', reason: 'Twilio 21610: unsubscribed recipient' },
    });
    // A failure that does not replace the stored status (a late duplicate) changes nothing.
    expect(decideStatusReport('failed', { status: 'undelivered', errorCode: 30003 })).toEqual({});
  });

  it("when the dispatcher reports, then accepted sets Twilio's status if later; not sent always fails", () => {
    expect(decideSendResult('requested', { kind: 'accepted', status: 'queued' })).toEqual({ status: 'queued' });
    expect(decideSendResult('delivered', { kind: 'accepted', status: 'queued' })).toEqual({});
    expect(decideSendResult('requested', { kind: 'failed', errorCode: 21211, reason: 'invalid number' })).toEqual({
      status: 'failed',
      consequence: { kind: 'fail-session', reason: 'SMS not sent: invalid number' },
    });
    expect(decideSendResult(undefined, { kind: 'failed', errorCode: 21610, reason: 'unsubscribed' }).consequence?.kind).toBe('opt-out');
  });
});

describe('decideSurveyStart', () => {
  const start = {
    customer: '+4791234567',
    sessionExists: false,
    active: [] as { id: string; senderNumber: string; startedAt: Date }[],
    suppressed: false,
    senders: { defaultSender: '+14155550100', subnumberPool: ['+4759440001', '+4759440002'] },
    sendAt: NOW,
    expiresAt: new Date(NOW.getTime() + 3_600_000),
    now: NOW,
  };

  it('given no session yet, then the first question, a free pool number, and the expiry as asked', () => {
    const decision = decideSurveyStart(survey, start);
    expect(decision).toMatchObject({ kind: 'start', sender: '+4759440001', supersede: [], expiresAt: start.expiresAt, remindAt: null, optedOut: false });
    if (decision.kind === 'start') expect(decision.start.currentElementId).toBe(question.id);
  });

  it('given the session exists, then nothing (the command was applied before)', () => {
    expect(decideSurveyStart(survey, { ...start, sessionExists: true })).toEqual({ kind: 'exists' });
  });

  it('given an active session without subnumbering, then the new one supersedes it; a suppressed customer supersedes nothing', () => {
    const us = { ...start, customer: '+14155601234', active: [{ id: 'old', senderNumber: '+14155550100', startedAt: NOW }] };
    expect(decideSurveyStart(survey, us)).toMatchObject({ supersede: ['old'], sender: '+14155550100' });
    expect(decideSurveyStart(survey, { ...us, suppressed: true })).toMatchObject({ supersede: [], optedOut: true });
    expect(decideSurveyStart(survey, { ...us, sender: 'MG' + 'a'.repeat(32) })).toMatchObject({ sender: 'MG' + 'a'.repeat(32) });
  });

  it('given sending hours that hold the first SMS, then the expiry moves by the wait, and the reminder counts from the send', () => {
    const withReminder = parseValid({ ...(loadExample('csat-en-no.json') as object), settings: { reminder: { afterMinutes: 30, text: { en: 'Reminder', no: 'Påminnelse' } } } });
    const sendAt = new Date(NOW.getTime() + 2 * 3_600_000);
    const decision = decideSurveyStart(withReminder, { ...start, sendAt });
    expect(decision).toMatchObject({ expiresAt: new Date(start.expiresAt.getTime() + 2 * 3_600_000), remindAt: new Date(sendAt.getTime() + 30 * 60_000) });
  });
});

describe('decideFlexSurvey', () => {
  const parsed = parseFlexSurveyPolicies([{ match: { queue: 'Support' }, surveyId: 'csat', fatigueDays: 7 }]);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  const plan = planFlexSurvey(
    parsed.policies,
    { eventType: 'task.wrapup', taskSid: 'WT' + 'a'.repeat(32), taskAttributes: { from: '+4791234567' }, taskQueueName: 'Support', occurredAt: NOW.toISOString() },
    NOW,
  ) as FlexSurveyStart;
  const none = { alreadySurveyed: false, suppressed: false, latestVersion: 3 };

  it('given a task whose policy matches, then the survey starts with its latest version', () => {
    expect(plan.kind).toBe('start');
    expect(decideFlexSurvey(plan, none, NOW)).toEqual({ kind: 'start', surveyVersion: 3 });
  });

  it('given the task had its survey, a suppressed customer, or an unknown survey, then it is refused, in that order', () => {
    expect(decideFlexSurvey(plan, { ...none, alreadySurveyed: true, suppressed: true }, NOW)).toEqual({ kind: 'refuse', reason: 'already-surveyed' });
    expect(decideFlexSurvey(plan, { ...none, suppressed: true, latestVersion: undefined }, NOW)).toEqual({ kind: 'refuse', reason: 'suppressed' });
    expect(decideFlexSurvey(plan, { ...none, latestVersion: undefined }, NOW)).toEqual({ kind: 'refuse', reason: 'unknown-survey' });
  });

  it('given a Flex survey within the fatigue days, then refused; once the days have passed, it starts', () => {
    const sixDaysAgo = new Date(NOW.getTime() - 6 * 86_400_000);
    const eightDaysAgo = new Date(NOW.getTime() - 8 * 86_400_000);
    expect(decideFlexSurvey(plan, { ...none, lastFlexSurveyAt: sixDaysAgo }, NOW)).toEqual({ kind: 'refuse', reason: 'fatigue' });
    expect(decideFlexSurvey(plan, { ...none, lastFlexSurveyAt: eightDaysAgo }, NOW)).toEqual({ kind: 'start', surveyVersion: 3 });
  });
});
