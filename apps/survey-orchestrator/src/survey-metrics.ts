import { senderKind } from '@sms-survey/sms-domain';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { OutboxEntry } from './outbox-relay.js';

/**
 * What one transaction decided that no published event says: sessions started, invalid replies, delivery
 * statuses recorded. Handlers note it here; it is counted only once the transaction has committed (with the
 * events of its outbox), so a transaction rolled back (and applied again) counts nothing.
 */
export class SessionTally {
  readonly started: string[] = [];
  readonly invalidReplies: string[] = [];
  readonly statuses: { from: string; status: string; errorCode?: number }[] = [];

  /** A session of this survey was created. */
  sessionStarted(surveyId: string): void {
    this.started.push(surveyId);
  }

  /** A reply that did not answer the question (the session stays, or ends `abandoned`). */
  invalidReply(surveyId: string): void {
    this.invalidReplies.push(surveyId);
  }

  /** A delivery status (Twilio's status callback) recorded on one of our SMS. */
  statusRecorded(from: string, status: string, errorCode?: number): void {
    this.statuses.push({ from, status, errorCode });
  }
}

/** Time from a session's start (its first SMS queued) to its completion: seconds to days. */
const COMPLETION_BUCKETS = [10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21_600, 86_400, 259_200];

/**
 * The orchestrator's survey and SMS metrics (docs/observability.md), by survey id, sender type and outcome, never
 * by customer. Counted from what each transaction committed: its outbox entries (`survey.session.ended`,
 * `survey.answer.recorded`, `sms.send.requested`) and its `SessionTally`.
 */
export function createSurveyMetrics(registry: Registry) {
  const started = new Counter({ name: 'survey_sessions_started_total', help: 'Survey sessions started', labelNames: ['survey_id'] as const, registers: [registry] });
  const ended = new Counter({
    name: 'survey_sessions_ended_total',
    help: 'Survey sessions ended, by status: completed, expired, abandoned (too many invalid replies), opted-out, failed (an SMS not delivered), superseded',
    labelNames: ['survey_id', 'status'] as const,
    registers: [registry],
  });
  const answers = new Counter({ name: 'survey_answers_recorded_total', help: 'Answers recorded', labelNames: ['survey_id'] as const, registers: [registry] });
  const invalid = new Counter({ name: 'survey_invalid_replies_total', help: 'Replies that did not answer the question', labelNames: ['survey_id'] as const, registers: [registry] });
  const completion = new Histogram({
    name: 'survey_completion_seconds',
    help: 'Time from a session start (its first SMS queued) to its completion',
    labelNames: ['survey_id'] as const,
    buckets: COMPLETION_BUCKETS,
    registers: [registry],
  });
  const requested = new Counter({
    name: 'sms_requested_total',
    help: 'SMS the orchestrator asked the dispatcher to send, by sender type and priority',
    labelNames: ['sender_type', 'priority'] as const,
    registers: [registry],
  });
  const statuses = new Counter({
    name: 'sms_delivery_status_total',
    help: "Delivery statuses recorded from Twilio's status callbacks, by sender type, status and Twilio error code (none: no code)",
    labelNames: ['sender_type', 'status', 'error_code'] as const,
    registers: [registry],
  });

  return {
    /** One committed transaction: its outbox entries and its tally. */
    committed(entries: readonly OutboxEntry[], tally?: SessionTally): void {
      for (const entry of entries) {
        const message = entry.message as unknown as { type: string; payload: Record<string, unknown> };
        switch (message.type) {
          case 'survey.session.ended': {
            const p = message.payload as { surveyId: string; status: string; startedAt: string; endedAt: string };
            ended.inc({ survey_id: p.surveyId, status: p.status });
            if (p.status === 'completed') {
              const seconds = (Date.parse(p.endedAt) - Date.parse(p.startedAt)) / 1000;
              if (Number.isFinite(seconds)) completion.observe({ survey_id: p.surveyId }, Math.max(0, seconds));
            }
            break;
          }
          case 'survey.answer.recorded':
            answers.inc({ survey_id: (message.payload as { surveyId: string }).surveyId });
            break;
          case 'sms.send.requested': {
            const p = message.payload as { from: string; priority?: string };
            requested.inc({ sender_type: senderKind(p.from), priority: p.priority ?? 'reply' });
            break;
          }
          default:
        }
      }
      if (!tally) return;
      for (const surveyId of tally.started) started.inc({ survey_id: surveyId });
      for (const surveyId of tally.invalidReplies) invalid.inc({ survey_id: surveyId });
      for (const s of tally.statuses) statuses.inc({ sender_type: senderKind(s.from), status: s.status, error_code: s.errorCode === undefined ? 'none' : String(s.errorCode) });
    },
  };
}

export type SurveyMetrics = ReturnType<typeof createSurveyMetrics>;
