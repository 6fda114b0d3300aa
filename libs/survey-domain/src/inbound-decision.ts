import { optOutIntent } from './opt-out.js';
import type { SurveyDefinition } from './survey-definition.js';
import { handleReply, notFoundReply, type ReplyDecision, type SessionState } from './survey-session.js';

/** What the orchestrator knows when a customer's SMS arrives (seed reply step 1 has found the session, if any). */
export interface InboundFacts {
  body: string;
  /** Twilio's OptOutType, when its Advanced Opt-Out recognised a keyword. */
  optOutType?: 'STOP' | 'START' | 'HELP';
  /** The customer is on the suppression list. */
  suppressed: boolean;
  /** The session the SMS belongs to (the customer's active one, else their latest), with its survey. */
  session?: { state: SessionState; survey: SurveyDefinition };
  /** Sent when no survey is known for the customer at all. */
  defaultNotFoundText?: string;
  now: Date;
}

export type InboundDecision =
  /** STOP (or a synonym): suppress the customer and end their active sessions as `opted-out`; nothing is texted. */
  | { kind: 'opt-out' }
  /** START from a suppressed customer: take them off the suppression list. */
  | { kind: 'opt-in' }
  /** Nothing to do: a suppressed customer, or HELP (Twilio answers STOP, START and HELP itself). */
  | { kind: 'ignore'; reason: 'suppressed' | 'help' }
  /** No session, or an expired or superseded one: one SMS saying no survey is open. */
  | { kind: 'not-found'; body: string }
  /** A reply to the session, decided by the survey engine. */
  | { kind: 'reply'; reply: ReplyDecision };

/**
 * A customer's SMS, seed reply steps 2–8. Opt-out comes before everything else, then the suppression list, then
 * whether a survey is open; an expired session is answered like no session at all, other ended ones by the engine
 * ("unavailable").
 */
export function decideInbound(facts: InboundFacts): InboundDecision {
  const intent = optOutIntent(facts.body, facts.optOutType);
  if (intent === 'stop') return { kind: 'opt-out' };
  if (facts.suppressed) return intent === 'start' ? { kind: 'opt-in' } : { kind: 'ignore', reason: 'suppressed' };
  if (intent === 'help') return { kind: 'ignore', reason: 'help' };
  const { session } = facts;
  if (!session) return { kind: 'not-found', body: facts.defaultNotFoundText ?? notFoundReply(undefined) };
  if (session.state.status === 'expired' || session.state.status === 'superseded') {
    return { kind: 'not-found', body: notFoundReply(session.survey, session.state.language) };
  }
  return { kind: 'reply', reply: handleReply(session.survey, session.state, facts.body, { now: facts.now }) };
}
