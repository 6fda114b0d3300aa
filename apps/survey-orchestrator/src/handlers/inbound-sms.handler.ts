import type { InboundSmsReceived, RecordedAnswer } from '@sms-survey/contracts';
import { handleReply, notFoundReply, optOutIntent, usesSubnumbering, type SenderPolicy, type SessionStatus } from '@sms-survey/survey-domain';
import type { Tx } from '../apply-once.js';
import type { OutboxEntry } from '../outbox-relay.js';
import { answerRecorded, endSession, queueOutgoing, type SessionRow } from '../session-events.js';
import { queueSms } from '../sms-commands.js';
import type { SurveyCatalog } from '../survey-catalog.js';
import { isSuppressed, optIn, optOut } from '../suppression.js';

export interface InboundSmsDeps {
  catalog: SurveyCatalog;
  senders: SenderPolicy;
  /** Sent when no survey is known for the customer at all; the survey's own text is used otherwise. */
  defaultNotFoundText?: string;
}

type StoredSession = SessionRow & { status: string; currentElementId: string | null; invalidReplies: number };

/**
 * Seed reply step 1: the session a reply belongs to. Where subnumbering applies, the number the customer
 * texted identifies it; otherwise it is the customer's most recent active session. When there is none, the
 * customer's most recent session (any status) decides which texts answer them. The row is locked.
 */
async function findSession(tx: Tx, customer: string, ourNumber: string, senders: SenderPolicy): Promise<StoredSession | undefined> {
  const bySender = usesSubnumbering(customer, senders) && senders.subnumberPool.includes(ourNumber);
  const rows = bySender
    ? await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM survey_session WHERE customer = ${customer} AND sender_number = ${ourNumber}
        ORDER BY (status = 'active') DESC, started_at DESC LIMIT 1 FOR UPDATE`
    : await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM survey_session WHERE customer = ${customer}
        ORDER BY (status = 'active') DESC, started_at DESC LIMIT 1 FOR UPDATE`;
  if (!rows[0]) return undefined;
  return (await tx.surveySession.findUniqueOrThrow({ where: { id: rows[0].id } })) as StoredSession;
}

/** A customer's SMS: the seed's reply handling, steps 1–8. */
export async function handleInboundSms(tx: Tx, event: InboundSmsReceived, deps: InboundSmsDeps, now: Date): Promise<OutboxEntry[]> {
  const { payload: sms } = event;
  const session = await findSession(tx, sms.from, sms.to, deps.senders);
  await tx.inboundMessage.createMany({
    data: [{ messageSid: sms.messageSid, customer: sms.from, toNumber: sms.to, body: sms.body, sessionId: session?.id, receivedAt: new Date(sms.receivedAt) }],
    skipDuplicates: true,
  });
  const reply = { from: sms.to, to: sms.from, priority: 'reply' as const, now };

  // Opt-out comes before everything else, and nothing is texted back (Twilio confirms STOP and START itself).
  const intent = optOutIntent(sms.body, sms.optOutType);
  if (intent === 'stop') return optOut(tx, sms.from, 'customer texted an opt-out keyword', now);
  if (await isSuppressed(tx, sms.from)) {
    if (intent === 'start') await optIn(tx, sms.from);
    return [];
  }
  if (intent === 'help') return [];

  if (!session) {
    return [await queueSms(tx, { ...reply, body: deps.defaultNotFoundText ?? notFoundReply(undefined) })];
  }
  const survey = await deps.catalog.get(session.surveyId, session.surveyVersion);
  // An expired session is answered like no session at all (issue: expiry); other ended ones are "unavailable".
  if (session.status === 'expired' || session.status === 'superseded') {
    return [await queueSms(tx, { ...reply, sessionId: session.id, body: notFoundReply(survey, session.language) })];
  }

  const decision = handleReply(
    survey,
    { status: session.status as SessionStatus, currentElementId: session.currentElementId, language: session.language, invalidReplies: session.invalidReplies },
    sms.body,
    { now },
  );
  const out: OutboxEntry[] = [];
  switch (decision.kind) {
    case 'unavailable':
      break;
    case 'invalid':
      await tx.surveySession.update({ where: { id: session.id }, data: { invalidReplies: decision.invalidReplies } });
      break;
    case 'ended-invalid':
      out.push(await endSession(tx, session, decision.endStatus, now, 'too many invalid replies'));
      break;
    case 'answered': {
      const { answer } = decision;
      await tx.surveyAnswer.create({
        data: { sessionId: session.id, elementId: answer.elementId, elementType: answer.elementType, rawReply: answer.rawReply, value: answer.value, answeredAt: new Date(answer.answeredAt) },
      });
      const answersSoFar = await tx.surveyAnswer.findMany({ where: { sessionId: session.id }, orderBy: { id: 'asc' } });
      out.push(
        answerRecorded(
          session,
          answer,
          answersSoFar.map((a) => ({ elementId: a.elementId, elementType: a.elementType, rawReply: a.rawReply, value: a.value as RecordedAnswer['value'], answeredAt: a.answeredAt.toISOString() })),
        ),
      );
      if (decision.completed) {
        out.push(await endSession(tx, session, 'completed', now));
      } else {
        await tx.surveySession.update({ where: { id: session.id }, data: { currentElementId: decision.nextElementId, invalidReplies: 0 } });
      }
      break;
    }
    default: {
      const unhandled: never = decision;
      throw new Error(`unhandled decision ${(unhandled as { kind: string }).kind}`);
    }
  }
  // The SMS go out before the session-ended event in outbox order, which is publish order.
  return [...(await queueOutgoing(tx, decision.outgoing, { ...reply, sessionId: session.id })), ...out];
}
