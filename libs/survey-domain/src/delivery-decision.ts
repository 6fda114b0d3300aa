/** Twilio's error for a recipient who replied STOP to the sender: we suppress them too. */
export const UNSUBSCRIBED_RECIPIENT = 21610;

/** A message's life in order; Twilio reports statuses out of order, and a status only replaces an earlier one. */
const STATUS_RANK: Readonly<Record<string, number>> = {
  requested: 0, accepted: 1, scheduled: 1, queued: 2, sending: 3, sent: 4, delivered: 5, read: 6, undelivered: 7, failed: 7, canceled: 7,
};

const rank = (status: string): number => STATUS_RANK[status] ?? 0;

/** Whether `reported` comes later in a message's life than `current` (so it replaces it). */
export function replacesStatus(current: string, reported: string): boolean {
  return rank(current) < rank(reported);
}

/** What a failed SMS does to the survey: the customer unsubscribed (21610), or the session cannot go on. */
export type FailureConsequence = { kind: 'opt-out'; reason: string } | { kind: 'fail-session'; reason: string };

function failure(errorCode: number | undefined, reason: string): FailureConsequence {
  if (errorCode === UNSUBSCRIBED_RECIPIENT) return { kind: 'opt-out', reason: `Twilio ${UNSUBSCRIBED_RECIPIENT}: unsubscribed recipient` };
  return { kind: 'fail-session', reason };
}

export interface DeliveryDecision {
  /** The message's new status, when it replaces the stored one. */
  status?: string;
  /** For a failure: what happens to the customer's survey. */
  consequence?: FailureConsequence;
}

/**
 * A status callback for one of our SMS (`current`: its stored status; undefined when it is not ours). A status
 * that does not replace the stored one changes nothing; undelivered and failed end the survey (`failure`).
 */
export function decideStatusReport(current: string | undefined, report: { status: string; errorCode?: number }): DeliveryDecision {
  if (current === undefined || !replacesStatus(current, report.status)) return {};
  if (report.status !== 'undelivered' && report.status !== 'failed') return { status: report.status };
  const reason = `SMS ${report.status}${report.errorCode ? ` (Twilio error ${report.errorCode})` : ''}`;
  return { status: report.status, consequence: failure(report.errorCode, reason) };
}

/**
 * The dispatcher's result for one SMS. Accepted: Twilio's status, when it replaces the stored one. Not sent: the
 * message failed, whatever it was, and the survey with it (21610 suppresses the customer even for an SMS we do not know).
 */
export function decideSendResult(
  current: string | undefined,
  result: { kind: 'accepted'; status: string } | { kind: 'failed'; errorCode?: number; reason: string },
): DeliveryDecision {
  if (result.kind === 'accepted') return current !== undefined && replacesStatus(current, result.status) ? { status: result.status } : {};
  return { status: 'failed', consequence: failure(result.errorCode, `SMS not sent: ${result.reason}`) };
}
