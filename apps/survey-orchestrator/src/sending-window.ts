import { nextSendTime, type SendingHours } from '@sms-survey/sms-domain';
import type { SurveyDefinition } from '@sms-survey/survey-domain';

/** Where the sending hours come from: the survey's own, else this default; and the recipient's time zones. */
export interface SendingPolicy {
  defaultHours?: SendingHours;
  zonesOf: (e164: string) => readonly string[];
}

/** The sending hours that apply to a survey's SMS (or to a reply that belongs to no survey). */
export function sendingHoursOf(policy: SendingPolicy, survey: Pick<SurveyDefinition, 'settings'> | undefined): SendingHours | undefined {
  return survey?.settings.sendingHours ?? policy.defaultHours;
}

/**
 * When an SMS to `customer` due at `at` may go: at once inside the sending hours, else when they next open in
 * the customer's local time (every candidate zone of the number: libs/sms-domain `nextSendTime`).
 */
export function sendableAt(policy: SendingPolicy, survey: Pick<SurveyDefinition, 'settings'> | undefined, customer: string, at: Date): Date {
  const hours = sendingHoursOf(policy, survey);
  return hours ? new Date(nextSendTime(at.getTime(), policy.zonesOf(customer), hours)) : at;
}
