import {
  SurveyAnswerRecorded,
  SurveySessionEnded,
  Topics,
  createMessage,
  uuidFromName,
  type RecordedAnswer,
  type SessionEndStatus,
} from '@sms-survey/contracts';
import type { OutgoingSms } from '@sms-survey/survey-domain';
import type { Tx } from './apply-once.js';
import type { OutboxEntry } from './outbox-relay.js';
import { cancelHeldSms, insertOutbound, smsCommand, type SmsCommand } from './sms-commands.js';

export interface SessionRow {
  id: string;
  surveyId: string;
  surveyVersion: number;
  customer: string;
  senderNumber: string;
  language: string;
  clientReference: string | null;
  userSessionVariables: unknown;
  origin: unknown;
  startedAt: Date;
}

function sessionRef(s: SessionRow) {
  return {
    sessionId: s.id,
    surveyId: s.surveyId,
    surveyVersion: s.surveyVersion,
    clientReference: s.clientReference ?? undefined,
    language: s.language,
    userSessionVariables: s.userSessionVariables as { key: string; value: string }[],
    origin: (s.origin ?? undefined) as SurveySessionEnded['payload']['origin'],
  };
}

/**
 * For BI and follow-up tasks: one event per recorded answer, with the customer's number and the answers so far
 * (this one included). Its id derives from the answer, so a replay yields the same id.
 */
export function answerRecorded(session: SessionRow, answer: RecordedAnswer, answersSoFar: readonly RecordedAnswer[] = [answer]): OutboxEntry {
  const message = createMessage(SurveyAnswerRecorded, {
    id: uuidFromName(`answer:${session.id}:${answer.elementId}:${answer.answeredAt}`),
    type: 'survey.answer.recorded',
    schemaVersion: 1,
    payload: { ...sessionRef(session), answer, customer: session.customer, answersSoFar: [...answersSoFar] },
  });
  return { topic: Topics.surveyAnswers, key: session.id, message };
}

/** Ends the session in the database and returns the `survey.session.ended` event with every answer. */
export async function endSession(tx: Tx, session: SessionRow, status: SessionEndStatus, endedAt: Date, reason?: string): Promise<OutboxEntry> {
  const ended = await tx.surveySession.update({
    where: { id: session.id },
    data: { status, currentElementId: null, endedAt, endReason: reason ?? status, remindAt: null },
    select: { remindedAt: true },
  });
  await cancelHeldSms(tx, session.id);
  const answers = await tx.surveyAnswer.findMany({ where: { sessionId: session.id }, orderBy: { id: 'asc' } });
  const message = createMessage(SurveySessionEnded, {
    id: uuidFromName(`ended:${session.id}`),
    type: 'survey.session.ended',
    schemaVersion: 1,
    payload: {
      ...sessionRef(session),
      status,
      reason,
      customer: session.customer,
      answers: answers.map((a) => ({
        elementId: a.elementId,
        elementType: a.elementType,
        rawReply: a.rawReply,
        value: a.value as RecordedAnswer['value'],
        answeredAt: a.answeredAt.toISOString(),
      })),
      startedAt: session.startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      remindedAt: ended.remindedAt?.toISOString(),
    },
  });
  return { topic: Topics.surveySessions, key: session.id, message };
}

/** Where a batch of survey SMS goes, and from when: `sendAt` (the sending hours' next opening) or else `now`. */
export interface OutgoingTo {
  sessionId?: string;
  from: string;
  to: string;
  priority: 'reply' | 'new-survey';
  now: Date;
  sendAt?: Date;
}

/**
 * The commands for a batch of survey SMS (seed step 3): each at its delay after `sendAt` (the customer's
 * sending hours may hold the batch, whole, until they open), durably scheduled in the outbox.
 */
export function outgoingCommands(outgoing: readonly OutgoingSms[], sms: OutgoingTo): SmsCommand[] {
  let previousDelay = 0;
  const base = Math.max(sms.now.getTime(), sms.sendAt?.getTime() ?? 0);
  return outgoing.map((o) => {
    const at = new Date(base + o.delaySeconds * 1000);
    const later = at.getTime() > sms.now.getTime();
    // The outbox holds it until its time; the dispatcher also keeps the gap after the previous SMS actually left.
    const command = smsCommand({
      sessionId: sms.sessionId,
      from: sms.from,
      to: sms.to,
      priority: sms.priority,
      body: o.body,
      notBefore: later ? at : undefined,
      spacingSeconds: o.delaySeconds > 0 ? o.delaySeconds - previousDelay : undefined,
    });
    previousDelay = o.delaySeconds;
    return command;
  });
}

/** Queues a batch of survey SMS (seed step 3), see `outgoingCommands`. */
export async function queueOutgoing(tx: Tx, outgoing: readonly OutgoingSms[], sms: OutgoingTo): Promise<OutboxEntry[]> {
  const commands = outgoingCommands(outgoing, sms);
  await insertOutbound(tx, commands);
  return commands.map((c) => c.entry);
}
