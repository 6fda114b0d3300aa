import type { InboundSmsReceived, RecordedAnswer } from '@sms-survey/contracts';
import { handleReply, notFoundReply, optOutIntent, usesSubnumbering, type SenderPolicy, type SessionStatus } from '@sms-survey/survey-domain';
import { Prisma } from '@sms-survey/db';
import type { Tx } from '../apply-once.js';
import type { OutboxEntry } from '../outbox-relay.js';
import { answerRecorded, endSession, queueOutgoing, type SessionRow } from '../session-events.js';
import { queueSms } from '../sms-commands.js';
import type { SurveyCatalog } from '../survey-catalog.js';
import { optIn, optOut } from '../suppression.js';

export interface InboundSmsDeps {
  catalog: SurveyCatalog;
  senders: SenderPolicy;
  /** Sent when no survey is known for the customer at all; the survey's own text is used otherwise. */
  defaultNotFoundText?: string;
}

type StoredSession = SessionRow & { status: string; currentElementId: string | null; invalidReplies: number };

const SESSION_COLUMNS = Prisma.sql`id::text AS id, survey_id AS "surveyId", survey_version AS "surveyVersion", customer,
  sender_number AS "senderNumber", status, current_element_id AS "currentElementId", language,
  client_reference AS "clientReference", user_session_variables AS "userSessionVariables", origin,
  invalid_replies AS "invalidReplies", started_at AS "startedAt"`;

type AnswerRow = { elementId: string; elementType: string; rawReply: string; value: unknown; answeredAt: Date };

/**
 * Seed reply step 1: the session a reply belongs to. Where subnumbering applies, the number the customer
 * texted identifies it; otherwise it is the customer's most recent active session. When there is none, the
 * customer's most recent session (any status) decides which texts answer them. The row is locked.
 */
async function findSession(tx: Tx, customer: string, ourNumber: string, senders: SenderPolicy): Promise<StoredSession | undefined> {
  const bySender = usesSubnumbering(customer, senders) && senders.subnumberPool.includes(ourNumber);
  // One statement: the whole row, locked (was: the id FOR UPDATE, then the row through the ORM).
  const rows = await tx.$queryRaw<StoredSession[]>`
    SELECT ${SESSION_COLUMNS} FROM survey_session
    WHERE customer = ${customer} ${bySender ? Prisma.sql`AND sender_number = ${ourNumber}` : Prisma.empty}
    ORDER BY (status = 'active') DESC, started_at DESC LIMIT 1 FOR UPDATE`;
  return rows[0];
}

/** A customer's SMS: the seed's reply handling, steps 1–8. */
export async function handleInboundSms(tx: Tx, event: InboundSmsReceived, deps: InboundSmsDeps, now: Date): Promise<OutboxEntry[]> {
  const { payload: sms } = event;
  const session = await findSession(tx, sms.from, sms.to, deps.senders);
  // Records the SMS and reads the suppression list in one statement (after the session lock, as before).
  const [recorded] = await tx.$queryRaw<{ suppressed: boolean }[]>`
    WITH ins AS (
      INSERT INTO inbound_message (message_sid, customer, to_number, body, session_id, received_at)
      VALUES (${sms.messageSid}, ${sms.from}, ${sms.to}, ${sms.body}, ${session?.id ?? null}::uuid, ${new Date(sms.receivedAt)})
      ON CONFLICT DO NOTHING)
    SELECT EXISTS (SELECT 1 FROM suppressed_customer WHERE customer = ${sms.from}) AS suppressed`;
  const reply = { from: sms.to, to: sms.from, priority: 'reply' as const, now };

  // Opt-out comes before everything else, and nothing is texted back (Twilio confirms STOP and START itself).
  const intent = optOutIntent(sms.body, sms.optOutType);
  if (intent === 'stop') return optOut(tx, sms.from, 'customer texted an opt-out keyword', now);
  if (recorded?.suppressed) {
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
      // Inserts the answer and reads the session's answers so far in one statement: the CTE's row is not visible
      // to the statement's own read of the table, so it is appended (it has the highest id: the session is locked).
      const answersSoFar = await tx.$queryRaw<AnswerRow[]>`
        WITH ins AS (
          INSERT INTO survey_answer (session_id, element_id, element_type, raw_reply, value, answered_at)
          VALUES (${session.id}::uuid, ${answer.elementId}, ${answer.elementType}, ${answer.rawReply}, ${JSON.stringify(answer.value)}::jsonb, ${new Date(answer.answeredAt)})
          RETURNING id, element_id, element_type, raw_reply, value, answered_at)
        SELECT element_id AS "elementId", element_type AS "elementType", raw_reply AS "rawReply", value, answered_at AS "answeredAt"
        FROM (SELECT id, element_id, element_type, raw_reply, value, answered_at FROM survey_answer WHERE session_id = ${session.id}::uuid
              UNION ALL SELECT * FROM ins) a
        ORDER BY id`;
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
        await tx.$executeRaw`
          UPDATE survey_session SET current_element_id = ${decision.nextElementId}, invalid_replies = 0 WHERE id = ${session.id}::uuid`;
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
