import { isMessagingServiceSid, senderType } from '@sms-survey/contracts';
import type { SurveyDefinition } from './survey-definition.js';

/**
 * Which of our numbers texts a customer. Norwegian numbers (+47) use "subnumbering" (seed step 3): every
 * concurrent session with the same customer gets its own sender from a pool, so the number a reply arrives on
 * identifies the session. Everyone else gets the default sender, and a new survey replaces the customer's
 * active session (it is ended as `superseded`), since replies could not tell two sessions apart.
 */
/*
 * A sender is one of our numbers, a Messaging Service (`MG…`: Twilio picks one of its numbers per message, the
 * customer replies to that number) or an alphanumeric id, which can only send. A session keeps its sender; the
 * dispatcher's lanes and rates are per sender, so per Messaging Service.
 */

/** Whether the survey asks anything: any element other than a `text` needs a reply (a stored definition may be given as is). */
export function surveyNeedsReplies(survey: Pick<SurveyDefinition, 'elements'> | unknown): boolean {
  const elements = (survey as { elements?: unknown } | null)?.elements;
  if (!Array.isArray(elements)) return true;
  return elements.some((e) => (e as { type?: unknown } | null)?.type !== 'text');
}

/** Why this sender cannot send this survey (an alphanumeric id for a survey with questions), or undefined. */
export function senderProblem(sender: string, survey: Pick<SurveyDefinition, 'elements'> | unknown): string | undefined {
  if (senderType(sender) !== 'alphanumeric' || !surveyNeedsReplies(survey)) return undefined;
  return `the alphanumeric sender "${sender}" cannot receive replies, and this survey asks questions; use a phone number or a Messaging Service (MG…)`;
}

export interface SenderPolicy {
  defaultSender: string;
  /** Our numbers for subnumbering; empty turns subnumbering off. */
  subnumberPool: readonly string[];
  /** Country prefixes that use subnumbering (default +47). */
  subnumberCountryPrefixes?: readonly string[];
}

export interface ActiveSessionRef {
  id: string;
  senderNumber: string;
  startedAt: Date;
}

export interface SenderChoice {
  sender: string;
  /** Active sessions the new one replaces. */
  supersede: string[];
}

export function usesSubnumbering(customer: string, policy: SenderPolicy): boolean {
  const prefixes = policy.subnumberCountryPrefixes ?? ['+47'];
  return policy.subnumberPool.length > 0 && prefixes.some((p) => customer.startsWith(p));
}

export function chooseSender(customer: string, active: readonly ActiveSessionRef[], policy: SenderPolicy): SenderChoice {
  if (!usesSubnumbering(customer, policy)) {
    return { sender: policy.defaultSender, supersede: active.map((s) => s.id) };
  }
  const inUse = new Set(active.map((s) => s.senderNumber));
  const free = policy.subnumberPool.find((n) => !inUse.has(n));
  if (free) return { sender: free, supersede: [] };
  // Every number of the pool is busy with this customer: the oldest session gives up its number.
  const oldest = [...active].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime())[0]!;
  return { sender: oldest.senderNumber, supersede: [oldest.id] };
}

/**
 * Who answers a customer's SMS: the number they texted, except in a session sent through a Messaging Service,
 * which answers through the service (its lane and rate; Twilio's sticky sender keeps the customer's number).
 */
export function replySender(sessionSender: string | undefined, texted: string): string {
  return sessionSender !== undefined && isMessagingServiceSid(sessionSender) ? sessionSender : texted;
}

/**
 * Seed reply step 1: how a customer's SMS finds its session. Where subnumbering applies, the number they texted
 * identifies it (`sender`); otherwise it is the customer's most recent active session whatever number they
 * texted (so a session sent through a Messaging Service is found by a reply to any of its numbers), else their
 * most recent one. `key` names the lookup.
 */
export function replyLookup(customer: string, texted: string, policy: SenderPolicy): { key: string; customer: string; sender: string | null } {
  const sender = usesSubnumbering(customer, policy) && policy.subnumberPool.includes(texted) ? texted : null;
  return { key: `${customer}|${sender ?? ''}`, customer, sender };
}
