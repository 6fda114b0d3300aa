import { z } from 'zod';
import { E164, ReplyableSender, type FlexTaskLifecycle, languagePreference } from '@sms-survey/contracts';

/**
 * Surveys after a Flex task (issue 5, seed 000 without the plugin). A policy says which tasks get which survey;
 * the first policy whose `match` fits a task decides (a disabled one too: it turns a queue off ahead of a
 * catch-all). This module is pure: the orchestrator adds what needs the database (one survey per task, fatigue,
 * suppression, the survey's latest version).
 */

const name = z.string().trim().min(1).max(256);

export const FlexSurveyPolicy = z.strictObject({
  /** A label for logs. */
  name: name.optional(),
  /** Which tasks: every criterion given must hold; `{}` (or no `match`) fits every task. */
  match: z
    .strictObject({
      /** The TaskQueue's friendly name or sid (WQ…). */
      queue: name.optional(),
      /** The Workflow's friendly name or sid (WW…). */
      workflow: name.optional(),
      /** The task's `channelType` attribute or its TaskChannel unique name: `sms`, `whatsapp`, `voice`, `chat`… (any case). */
      channel: name.transform((c) => c.toLowerCase()).optional(),
    })
    .default({}),
  /** The survey to send (its latest version when the task ends). */
  surveyId: name,
  enabled: z.boolean().default(true),
  /**
   * `wrapup`: when the agent wraps up (or, for a task that never had a wrap-up event, when it completes);
   * `completed`: only when the task is completed.
   */
  trigger: z.enum(['wrapup', 'completed']).default('wrapup'),
  /** Path of the task attribute with the customer's language, dots for nesting (e.g. `language`, `customers.language`). */
  languageAttribute: name.optional(),
  /** No more than one Flex survey per customer per this many days. */
  fatigueDays: z.number().int().min(1).max(3650).optional(),
  /**
   * Who texts the survey: one of our numbers or a Messaging Service sid (`MG…`; its numbers' messaging webhook
   * must be the gateway); default: the orchestrator's sender choice. An alphanumeric sender id is refused: a
   * survey needs replies.
   */
  senderNumber: ReplyableSender.optional(),
  /** How long the customer has to answer. */
  expiryHours: z.number().positive().max(24 * 30).default(24),
});
export type FlexSurveyPolicy = z.output<typeof FlexSurveyPolicy>;
export type FlexSurveyPolicyInput = z.input<typeof FlexSurveyPolicy>;

export const FlexSurveyPolicies = z.array(FlexSurveyPolicy).max(500);

/** Validates a policy list (the parsed JSON of FLEX_SURVEY_POLICIES), naming each problem by its path. */
export function parseFlexSurveyPolicies(value: unknown): { ok: true; policies: FlexSurveyPolicy[] } | { ok: false; problems: string[] } {
  const result = FlexSurveyPolicies.safeParse(value);
  if (result.success) return { ok: true, policies: result.data };
  return { ok: false, problems: result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(policies)'}: ${i.message}`) };
}

export type FlexTask = FlexTaskLifecycle['payload'];

/** The attribute at a dotted path (`customers.language`), or undefined. */
export function taskAttributeAt(attributes: Record<string, unknown>, path: string): unknown {
  let value: unknown = attributes;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

const stringAt = (attributes: Record<string, unknown>, path: string): string | undefined => {
  const value = taskAttributeAt(attributes, path);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};

/** The task's channel: its `channelType` attribute (Flex Conversations, legacy messaging), else its TaskChannel. */
export function taskChannel(task: Pick<FlexTask, 'taskAttributes' | 'taskChannelUniqueName'>): string | undefined {
  return (stringAt(task.taskAttributes, 'channelType') ?? task.taskChannelUniqueName)?.toLowerCase();
}

const ADDRESS_PREFIX = /^(whatsapp|sms|tel):/i;

/** A Flex address as an E.164 number: `whatsapp:+4791234567` and `sms:+4791234567` become `+4791234567`. */
export function normalizeCustomerAddress(raw: string): string | undefined {
  const address = raw.trim().replace(ADDRESS_PREFIX, '').trim();
  return E164.safeParse(address).success ? address : undefined;
}

export type CustomerAddress = { ok: true; customer: string; attribute: 'customerAddress' | 'from' } | { ok: false; reason: 'no-customer-address' | 'customer-address-not-e164' };

/**
 * The customer's number from the attributes Flex sets on a task: `customerAddress` (Flex Conversations, E.164 or
 * `whatsapp:`+E.164), else `from` (legacy messaging, voice). The first that is a phone number wins; a chat
 * identity or a web visitor's name is not one.
 */
export function customerAddressFromTask(attributes: Record<string, unknown>): CustomerAddress {
  let present = false;
  for (const attribute of ['customerAddress', 'from'] as const) {
    const raw = stringAt(attributes, attribute);
    if (raw === undefined) continue;
    present = true;
    const customer = normalizeCustomerAddress(raw);
    if (customer) return { ok: true, customer, attribute };
  }
  return { ok: false, reason: present ? 'customer-address-not-e164' : 'no-customer-address' };
}

const equalsName = (wanted: string, sid: string | undefined, friendlyName: string | undefined) =>
  wanted === sid || (friendlyName !== undefined && wanted.toLowerCase() === friendlyName.toLowerCase());

/** Whether a policy's `match` fits the task: every criterion given must hold. */
export function policyMatches(policy: Pick<FlexSurveyPolicy, 'match'>, task: FlexTask): boolean {
  const { queue, workflow, channel } = policy.match;
  if (queue !== undefined && !equalsName(queue, task.taskQueueSid, task.taskQueueName)) return false;
  if (workflow !== undefined && !equalsName(workflow, task.workflowSid, task.workflowName)) return false;
  if (channel !== undefined) {
    const channels = [stringAt(task.taskAttributes, 'channelType'), task.taskChannelUniqueName].map((c) => c?.toLowerCase());
    if (!channels.includes(channel)) return false;
  }
  return true;
}

/** The first policy that fits the task, with its position in the list. */
export function findFlexPolicy(policies: readonly FlexSurveyPolicy[], task: FlexTask): { policy: FlexSurveyPolicy; index: number } | undefined {
  const index = policies.findIndex((p) => policyMatches(p, task));
  return index < 0 ? undefined : { policy: policies[index]!, index };
}

/** Whether this event may start the policy's survey. A cancellation never does; the plugin asks explicitly. */
export function isTrigger(policy: Pick<FlexSurveyPolicy, 'trigger'>, eventType: FlexTask['eventType']): boolean {
  switch (eventType) {
    case 'plugin.transfer':
    case 'task.completed':
      return true;
    case 'task.wrapup':
      return policy.trigger === 'wrapup';
    case 'task.canceled':
      return false;
  }
}

export type FlexSkipReason =
  | 'task-canceled'
  | 'no-matching-policy'
  | 'policy-disabled'
  | 'not-the-trigger'
  | 'no-customer-address'
  | 'customer-address-not-e164';

export interface FlexSurveyStart {
  kind: 'start';
  policy: FlexSurveyPolicy;
  policyIndex: number;
  customer: string;
  surveyId: string;
  language?: string;
  /** The sender number asked for (the plugin's, else the policy's). */
  senderNumber?: string;
  expiresAt: Date;
  userSessionVariables: { key: string; value: string }[];
  origin: { kind: 'flex-task'; taskSid: string; conversationId?: string };
}

export type FlexSurveyPlan = FlexSurveyStart | { kind: 'skip'; reason: FlexSkipReason; policyIndex?: number };

const truncate = (value: string, max: number) => (value.length > max ? value.slice(0, max) : value);

/**
 * What a task event asks for, before the database is asked: the policy, the customer, and the session's
 * details. User variables come from the task: agentId = the worker (sid, else name), queueKey = the queue
 * (name, else sid), consumerSession = the task sid, consumerChannel = the channel, consumerPhone = the customer.
 */
export function planFlexSurvey(policies: readonly FlexSurveyPolicy[], task: FlexTask, now: Date): FlexSurveyPlan {
  if (task.eventType === 'task.canceled') return { kind: 'skip', reason: 'task-canceled' };
  const found = findFlexPolicy(policies, task);
  if (!found) return { kind: 'skip', reason: 'no-matching-policy' };
  const { policy, index: policyIndex } = found;
  if (!policy.enabled) return { kind: 'skip', reason: 'policy-disabled', policyIndex };
  if (!isTrigger(policy, task.eventType)) return { kind: 'skip', reason: 'not-the-trigger', policyIndex };
  const address = customerAddressFromTask(task.taskAttributes);
  if (!address.ok) return { kind: 'skip', reason: address.reason, policyIndex };

  // A BCP 47 tag (`sv`, `en-GB`, `en_GB` read as `en-GB`), in canonical case; anything else is not one (the survey's default language is used).
  const language = policy.languageAttribute ? languagePreference(stringAt(task.taskAttributes, policy.languageAttribute)) : undefined;
  const conversationId = stringAt(task.taskAttributes, 'conversations.conversation_id');
  const senderNumber = task.surveySenderNumber ?? policy.senderNumber;
  const variables: [string, string | undefined][] = [
    ['agentId', task.workerSid ?? task.workerName],
    ['queueKey', task.taskQueueName ?? task.taskQueueSid],
    ['consumerSession', task.taskSid],
    ['consumerChannel', taskChannel(task)],
    ['consumerPhone', address.customer],
  ];
  return {
    kind: 'start',
    policy,
    policyIndex,
    customer: address.customer,
    surveyId: policy.surveyId,
    ...(language !== undefined && { language }),
    ...(senderNumber !== undefined && { senderNumber }),
    expiresAt: new Date(now.getTime() + policy.expiryHours * 3600 * 1000),
    userSessionVariables: variables.filter((v): v is [string, string] => v[1] !== undefined).map(([key, value]) => ({ key, value: truncate(value, 1000) })),
    origin: { kind: 'flex-task', taskSid: task.taskSid, ...(conversationId !== undefined && { conversationId }) },
  };
}

/** Why a planned Flex survey is not started, once the database has been asked. */
export type FlexSurveyRefusal = 'already-surveyed' | 'suppressed' | 'fatigue' | 'unknown-survey';

export interface FlexSurveyFacts {
  /** The task has had its survey (a retried or later event of the same task). */
  alreadySurveyed: boolean;
  /** The customer is on the suppression list. */
  suppressed: boolean;
  /** When the customer's latest Flex-task survey started, if ever. */
  lastFlexSurveyAt?: Date;
  /** The survey's latest version; undefined when the policy names a survey that does not exist. */
  latestVersion?: number;
}

/**
 * The Flex survey policy's rules that need the database's facts: one survey per task, never to a suppressed
 * customer, none within `fatigueDays` of the customer's previous Flex survey, and only a survey that exists.
 */
export function decideFlexSurvey(plan: FlexSurveyStart, facts: FlexSurveyFacts, now: Date): { kind: 'start'; surveyVersion: number } | { kind: 'refuse'; reason: FlexSurveyRefusal } {
  if (facts.alreadySurveyed) return { kind: 'refuse', reason: 'already-surveyed' };
  if (facts.suppressed) return { kind: 'refuse', reason: 'suppressed' };
  const { fatigueDays } = plan.policy;
  if (fatigueDays !== undefined && facts.lastFlexSurveyAt && facts.lastFlexSurveyAt.getTime() > now.getTime() - fatigueDays * 24 * 3600 * 1000) {
    return { kind: 'refuse', reason: 'fatigue' };
  }
  if (facts.latestVersion === undefined) return { kind: 'refuse', reason: 'unknown-survey' };
  return { kind: 'start', surveyVersion: facts.latestVersion };
}
