import { describe, expect, it } from 'vitest';
import { decideReminder, renderElement } from '../src/index.js';
import { loadExample, parseValid } from './fixtures.js';

// Given a session whose reminder is due, when the timer looks at it, then one nudge re-asking the current
// question goes, unless the session ended, the customer opted out, or the SMS could only go after expiry.

const base = loadExample('csat-en-no.json') as Record<string, unknown>;
const survey = parseValid({ ...base, settings: { reminder: { afterMinutes: 60, text: { en: 'A gentle reminder:', no: 'En liten påminnelse:' } } } });
const withoutReminder = parseValid(base);
const question = survey.elements.find((e) => e.type !== 'text')!;
const session = { status: 'active', currentElementId: question.id, language: 'no', expiresAt: new Date('2026-12-02T12:00:00Z') };
const facts = { suppressed: false, sendAt: new Date('2026-12-02T08:00:00Z') };

describe('decideReminder', () => {
  it('sends the reminder text and the current question asked again, in the session language, in one SMS', () => {
    const decision = decideReminder(survey, session, facts);
    expect(decision).toEqual({ kind: 'send', sms: { body: `En liten påminnelse:\n${renderElement(question, 'no', survey)}`, delaySeconds: 0 } });
  });

  it('sends nothing for a survey without one, an ended session, an opted-out customer, or after expiry', () => {
    expect(decideReminder(withoutReminder, session, facts)).toEqual({ kind: 'skip', reason: 'no-reminder' });
    expect(decideReminder(survey, { ...session, status: 'completed' }, facts)).toEqual({ kind: 'skip', reason: 'not-active' });
    expect(decideReminder(survey, session, { ...facts, suppressed: true })).toEqual({ kind: 'skip', reason: 'opted-out' });
    // The sending hours would hold it until after the session has expired.
    expect(decideReminder(survey, session, { ...facts, sendAt: new Date('2026-12-02T12:00:00Z') })).toEqual({ kind: 'skip', reason: 'after-expiry' });
    expect(decideReminder(survey, { ...session, currentElementId: null }, facts)).toEqual({ kind: 'skip', reason: 'no-question' });
  });

  it('refuses a reminder without text or with a zero delay, and sending hours that end before they start, at save time', async () => {
    const { validateSurveyDefinition } = await import('../src/index.js');
    const bad = validateSurveyDefinition({ ...base, settings: { reminder: { afterMinutes: 0, text: {} }, sendingHours: { start: '21:00', end: '08:00' } } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.problems).toContain('settings.sendingHours.end: start must be before end (a window within one day)');
      expect(bad.problems.some((p) => p.startsWith('settings.reminder.afterMinutes:'))).toBe(true);
      expect(bad.problems.some((p) => p.startsWith('settings.reminder.text:'))).toBe(true);
    }
  });
});
