import { localize, renderElement } from './render.js';
import type { SurveyDefinition } from './survey-definition.js';
import type { OutgoingSms } from './survey-session.js';

/** What becomes of a session's due reminder (settings.reminder). */
export type ReminderDecision = { kind: 'send'; sms: OutgoingSms } | { kind: 'skip'; reason: 'no-reminder' | 'not-active' | 'opted-out' | 'after-expiry' | 'no-question' };

/**
 * A session's reminder is due: send one nudge (the reminder text, then the current question asked again, in
 * one SMS) unless the session is no longer active, the customer opted out, or the sending hours would hold
 * it until the session has expired (`sendAt`: when it could go).
 */
export function decideReminder(
  survey: SurveyDefinition,
  session: { status: string; currentElementId: string | null; language: string; expiresAt: Date },
  facts: { suppressed: boolean; sendAt: Date },
): ReminderDecision {
  const reminder = survey.settings.reminder;
  if (!reminder) return { kind: 'skip', reason: 'no-reminder' };
  if (session.status !== 'active') return { kind: 'skip', reason: 'not-active' };
  if (facts.suppressed) return { kind: 'skip', reason: 'opted-out' };
  if (facts.sendAt.getTime() >= session.expiresAt.getTime()) return { kind: 'skip', reason: 'after-expiry' };
  const element = survey.elements.find((e) => e.id === session.currentElementId);
  if (!element) return { kind: 'skip', reason: 'no-question' };
  const body = `${localize(reminder.text, session.language, survey)}\n${renderElement(element, session.language, survey)}`;
  return { kind: 'send', sms: { body, delaySeconds: 0 } };
}
