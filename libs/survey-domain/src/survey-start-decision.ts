import { chooseSender, type ActiveSessionRef, type SenderPolicy } from './sender-choice.js';
import type { SurveyDefinition } from './survey-definition.js';
import { startSurvey, type StartResult } from './survey-session.js';

export interface SurveyStartFacts {
  customer: string;
  /** A session with the command's id exists already (the command was applied before under another event id). */
  sessionExists: boolean;
  /** The customer's active sessions. */
  active: readonly ActiveSessionRef[];
  suppressed: boolean;
  /** SendSurvey's sender (a number or a Messaging Service): it replaces the default one; subnumbering still applies. */
  sender?: string;
  senders: SenderPolicy;
  language?: string;
  content?: string;
  /** When the customer's sending hours let the first SMS go (now, or when they open). */
  sendAt: Date;
  /** The command's expiry time. */
  expiresAt: Date;
  now: Date;
}

export type SurveyStartDecision =
  | { kind: 'exists' }
  | {
      kind: 'start';
      sender: string;
      /** Active sessions the new one replaces (none for a suppressed customer: nothing of theirs changes). */
      supersede: string[];
      start: StartResult;
      /** The first SMS's wait for the sending hours moves the expiry, so the customer has as long to answer. */
      expiresAt: Date;
      /** When the reminder is due, for a survey with one. */
      remindAt: Date | null;
      /** The customer opted out since the gateway accepted the command: the session is stored, ended at once, and texts nothing. */
      optedOut: boolean;
    };

/** SendSurvey (seed steps 2–4): the sender, the sessions replaced, the opening SMS and the session to store. */
export function decideSurveyStart(survey: SurveyDefinition, facts: SurveyStartFacts): SurveyStartDecision {
  if (facts.sessionExists) return { kind: 'exists' };
  const senders = facts.sender ? { ...facts.senders, defaultSender: facts.sender } : facts.senders;
  const choice = chooseSender(facts.customer, facts.active, senders);
  const heldMs = facts.sendAt.getTime() - facts.now.getTime();
  const reminder = survey.settings.reminder;
  return {
    kind: 'start',
    sender: choice.sender,
    supersede: facts.suppressed ? [] : choice.supersede,
    start: startSurvey(survey, { language: facts.language, content: facts.content, now: facts.now }),
    expiresAt: new Date(facts.expiresAt.getTime() + Math.max(0, heldMs)),
    remindAt: reminder ? new Date(facts.sendAt.getTime() + reminder.afterMinutes * 60_000) : null,
    optedOut: facts.suppressed,
  };
}
