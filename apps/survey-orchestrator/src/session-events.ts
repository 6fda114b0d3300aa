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
  await tx.surveySession.update({
    where: { id: session.id },
    data: { status, currentElementId: null, endedAt, endReason: reason ?? status },
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
    },
  });
  return { topic: Topics.surveySessions, key: session.id, message };
}

/** The commands for a batch of survey SMS (seed step 3): each at its delay after `now`, durably scheduled in the outbox. */
export function outgoingCommands(
  outgoing: readonly OutgoingSms[],
  sms: { sessionId?: string; from: string; to: string; priority: 'reply' | 'new-survey'; now: Date },
): SmsCommand[] {
  let previousDelay = 0;
  return outgoing.map((o) => {
    const later = o.delaySeconds > 0;
    const at = new Date(sms.now.getTime() + o.delaySeconds * 1000);
    // The outbox holds it until its time; the dispatcher also keeps the gap after the previous SMS actually left.
    const command = smsCommand({ ...sms, body: o.body, notBefore: later ? at : undefined, spacingSeconds: later ? o.delaySeconds - previousDelay : undefined });
    previousDelay = o.delaySeconds;
    return command;
  });
}

/** Queues a batch of survey SMS (seed step 3), see `outgoingCommands`. */
export async function queueOutgoing(
  tx: Tx,
  outgoing: readonly OutgoingSms[],
  sms: { sessionId?: string; from: string; to: string; priority: 'reply' | 'new-survey'; now: Date },
): Promise<OutboxEntry[]> {
  const commands = outgoingCommands(outgoing, sms);
  await insertOutbound(tx, commands);
  return commands.map((c) => c.entry);
}
