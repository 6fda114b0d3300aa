import { isMessagingServiceSid, type InboundSmsReceived, type RecordedAnswer } from '@sms-survey/contracts';
import {
  handleReply,
  notFoundReply,
  optOutIntent,
  usesSubnumbering,
  type ReplyDecision,
  type SenderPolicy,
  type SessionState,
  type SessionStatus,
  type SurveyDefinition,
} from '@sms-survey/survey-domain';
import { Prisma, type Sql } from '@sms-survey/db';
import { tallyOf, type TransactionOutbox, type Tx } from '../apply-once.js';
import type { OutboxEntry } from '../outbox-relay.js';
import { answerRecorded, endSession, outgoingCommands, queueOutgoing, type SessionRow } from '../session-events.js';
import { insertOutboundSql, queueSms, type SmsCommand } from '../sms-commands.js';
import { sendableAt, type SendingPolicy } from '../sending-window.js';
import type { SurveyCatalog } from '../survey-catalog.js';
import { optIn, optOut } from '../suppression.js';

export interface InboundSmsDeps {
  catalog: SurveyCatalog;
  senders: SenderPolicy;
  /** Sent when no survey is known for the customer at all; the survey's own text is used otherwise. */
  defaultNotFoundText?: string;
  /** Replies, too, go only within the customer's sending hours. */
  sending: SendingPolicy;
}

/** A single SMS's hold: the time the sending hours open, if that is later than now. */
function heldUntil(deps: InboundSmsDeps, survey: Parameters<typeof sendableAt>[1], customer: string, now: Date): Date | undefined {
  const at = sendableAt(deps.sending, survey, customer, now);
  return at.getTime() > now.getTime() ? at : undefined;
}

type StoredSession = SessionRow & { status: string; currentElementId: string | null; invalidReplies: number };

const SESSION_COLUMNS = Prisma.sql`id::text AS id, survey_id AS "surveyId", survey_version AS "surveyVersion", customer,
  sender_number AS "senderNumber", status, current_element_id AS "currentElementId", language,
  client_reference AS "clientReference", user_session_variables AS "userSessionVariables", origin,
  invalid_replies AS "invalidReplies", started_at AS "startedAt"`;

type AnswerRow = { elementId: string; elementType: string; rawReply: string; value: unknown; answeredAt: Date };

/**
 * Seed reply step 1: the session a reply belongs to. Where subnumbering applies, the number the customer
 * texted identifies it; otherwise it is the customer's most recent active session, whatever number they texted
 * (so a session sent through a Messaging Service is found by a reply to any of the service's numbers: the
 * customer has one active session there, a new survey supersedes it). When there is none, the customer's most
 * recent session (any status) decides which texts answer them. The row is locked.
 */
function bySenderNumber(customer: string, ourNumber: string, senders: SenderPolicy): boolean {
  return usesSubnumbering(customer, senders) && senders.subnumberPool.includes(ourNumber);
}

/**
 * Who answers a customer's SMS: the number they texted, except in a session sent through a Messaging Service,
 * which answers through the service (its lane and rate; Twilio's sticky sender keeps the customer's number).
 */
function replySender(session: { senderNumber: string } | undefined, ourNumber: string): string {
  return session && isMessagingServiceSid(session.senderNumber) ? session.senderNumber : ourNumber;
}

async function findSession(tx: Tx, customer: string, ourNumber: string, senders: SenderPolicy): Promise<StoredSession | undefined> {
  const bySender = bySenderNumber(customer, ourNumber, senders);
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
  const reply = { from: replySender(session, sms.to), to: sms.from, priority: 'reply' as const, now };

  // Opt-out comes before everything else, and nothing is texted back (Twilio confirms STOP and START itself).
  const intent = optOutIntent(sms.body, sms.optOutType);
  if (intent === 'stop') return optOut(tx, sms.from, 'customer texted an opt-out keyword', now);
  if (recorded?.suppressed) {
    if (intent === 'start') await optIn(tx, sms.from);
    return [];
  }
  if (intent === 'help') return [];

  if (!session) {
    return [await queueSms(tx, { ...reply, body: deps.defaultNotFoundText ?? notFoundReply(undefined), notBefore: heldUntil(deps, undefined, sms.from, now) })];
  }
  const survey = await deps.catalog.get(session.surveyId, session.surveyVersion);
  // An expired session is answered like no session at all (issue: expiry); other ended ones are "unavailable".
  if (session.status === 'expired' || session.status === 'superseded') {
    return [await queueSms(tx, { ...reply, sessionId: session.id, body: notFoundReply(survey, session.language), notBefore: heldUntil(deps, survey, sms.from, now) })];
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
      await tx.surveySession.update({ where: { id: session.id }, data: { invalidReplies: decision.invalidReplies, remindAt: null } });
      tallyOf(tx)?.invalidReply(session.surveyId);
      break;
    case 'ended-invalid':
      tallyOf(tx)?.invalidReply(session.surveyId);
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
          UPDATE survey_session SET current_element_id = ${decision.nextElementId}, invalid_replies = 0, remind_at = NULL WHERE id = ${session.id}::uuid`;
      }
      break;
    }
    default: {
      const unhandled: never = decision;
      throw new Error(`unhandled decision ${(unhandled as { kind: string }).kind}`);
    }
  }
  // The SMS go out before the session-ended event in outbox order, which is publish order.
  return [...(await queueOutgoing(tx, decision.outgoing, { ...reply, sessionId: session.id, sendAt: sendableAt(deps.sending, survey, sms.from, now) })), ...out];
}

/**
 * Customer replies, a batch at a time (one partition's events in offset order, in the caller's transaction),
 * for the common case: an active session's answer or invalid reply. It costs a fixed number of statements per
 * batch, in raw SQL: one locks and reads the sessions with their suppression flag and answers so far; the writes
 * (inbound messages, answers, session updates, SMS commands) are buffered and written with one statement. Any
 * other reply (an opt-out keyword, a suppressed customer, no active session, a reply that ends the session) is
 * returned, with that customer's later replies in the batch, for `handleInboundSms` to apply one by one after
 * this transaction commits; the outcome is the same as applying every reply with `handleInboundSms` in turn.
 */
export async function handleInboundSmsBatch(
  sql: Sql,
  events: readonly InboundSmsReceived[],
  deps: InboundSmsDeps,
  now: Date,
  outbox: TransactionOutbox,
): Promise<InboundSmsReceived[]> {
  const sessions = await lockSessions(sql, events, deps.senders);
  const states = new Map<string, SessionState>();
  const writes = new ReplyWrites();
  const deferred: InboundSmsReceived[] = [];
  const deferredCustomers = new Set<string>();

  for (const [i, event] of events.entries()) {
    const sms = event.payload;
    const session = sessions[i];
    let decision: ReplyDecision | undefined;
    let survey: SurveyDefinition | undefined;
    if (session?.status === 'active' && !session.suppressed && !deferredCustomers.has(sms.from) && optOutIntent(sms.body, sms.optOutType) === 'none') {
      survey = await deps.catalog.get(session.surveyId, session.surveyVersion);
      const state = states.get(session.id) ?? { status: 'active', currentElementId: session.currentElementId, language: session.language, invalidReplies: session.invalidReplies };
      decision = handleReply(survey, state, sms.body, { now });
    }
    if (!session || !decision || !(decision.kind === 'invalid' || (decision.kind === 'answered' && !decision.completed))) {
      deferred.push(event);
      deferredCustomers.add(sms.from);
      continue;
    }

    writes.inbound.push({ sms, sessionId: session.id });
    states.set(session.id, decision.state);
    writes.sessions.set(session.id, { currentElementId: decision.state.currentElementId, invalidReplies: decision.state.invalidReplies });
    const commands = outgoingCommands(decision.outgoing, { from: replySender(session, sms.to), to: sms.from, priority: 'reply', now, sessionId: session.id, sendAt: sendableAt(deps.sending, survey, sms.from, now) });
    writes.commands.push(...commands);
    // As in handleInboundSms: the SMS first, then the answer event, in outbox (= publish) order.
    outbox.add(commands.map((c) => c.entry), event);
    if (decision.kind === 'invalid') outbox.tally.invalidReply(session.surveyId);
    if (decision.kind === 'answered') {
      session.answers.push(decision.answer);
      writes.answers.push({ sessionId: session.id, answer: decision.answer });
      outbox.add([answerRecorded(session, decision.answer, session.answers)], event);
    }
  }
  await writes.write(sql);
  return deferred;
}

type LockedSession = StoredSession & {
  /** The customer is on the suppression list. */
  suppressed: boolean;
  /** The answers so far, oldest first, for an active session (else empty); the batch appends to it. */
  answers: RecordedAnswer[];
};

/**
 * Locks and reads the session each reply belongs to (as `findSession`), with the customer's suppression flag and
 * the answers so far, for all replies with one statement. Distinct lookups are locked in a stable order, so that
 * two batches wait for each other instead of deadlocking. The flag and the answers are read from the statement's
 * snapshot, which a lock wait does not refresh; that is sound because only a session still `active` after the
 * lock takes the batch path, and whatever could change them (an opt-out, another reply) would have ended the
 * session or is ordered before this batch (one customer's replies share a partition).
 */
async function lockSessions(sql: Sql, events: readonly InboundSmsReceived[], senders: SenderPolicy): Promise<(LockedSession | undefined)[]> {
  const lookupOf = (sms: InboundSmsReceived['payload']) => ({ customer: sms.from, sender: bySenderNumber(sms.from, sms.to, senders) ? sms.to : null });
  const keyOf = (l: { customer: string; sender: string | null }) => `${l.customer}|${l.sender ?? ''}`;
  const lookups = [...new Map(events.map((e) => lookupOf(e.payload)).map((l) => [keyOf(l), l])).values()].sort((a, b) =>
    keyOf(a) < keyOf(b) ? -1 : 1,
  );
  const rows = await sql<StoredSession & { lookup: string; suppressed: boolean; answers: RecordedAnswer[] | null }>(Prisma.sql`
    SELECT k.customer || '|' || coalesce(k.sender, '') AS lookup, s.*,
      EXISTS (SELECT 1 FROM suppressed_customer sc WHERE sc.customer = k.customer) AS suppressed,
      CASE WHEN s.status = 'active' THEN (
        SELECT json_agg(json_build_object('elementId', a.element_id, 'elementType', a.element_type, 'rawReply', a.raw_reply, 'value', a.value,
                          'answeredAt', to_char(a.answered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) ORDER BY a.id)
        FROM survey_answer a WHERE a.session_id = s.id::uuid) END AS answers
    FROM unnest(${lookups.map((l) => l.customer)}::text[], ${lookups.map((l) => l.sender)}::text[]) WITH ORDINALITY AS k(customer, sender, ord)
    CROSS JOIN LATERAL (
      SELECT ${SESSION_COLUMNS} FROM survey_session
      WHERE survey_session.customer = k.customer AND (k.sender IS NULL OR survey_session.sender_number = k.sender)
      ORDER BY (status = 'active') DESC, started_at DESC LIMIT 1 FOR UPDATE) s
    ORDER BY k.ord`);
  const byLookup = new Map(rows.map(({ lookup, answers, ...session }) => [lookup, { ...session, answers: answers ?? [] }]));
  return events.map((e) => byLookup.get(keyOf(lookupOf(e.payload))));
}

/** The rows a batch of replies writes, buffered so that they take one statement. */
class ReplyWrites {
  inbound: { sms: InboundSmsReceived['payload']; sessionId: string }[] = [];
  answers: { sessionId: string; answer: RecordedAnswer }[] = [];
  /** The latest state of each session the batch changed. */
  sessions = new Map<string, { currentElementId: string | null; invalidReplies: number }>();
  commands: SmsCommand[] = [];

  /** Writes the four tables with one statement (data-modifying CTEs). */
  async write(sql: Sql): Promise<void> {
    const { inbound, sessions, commands } = this;
    if (inbound.length === 0) return;
    const a = this.answers.map((r) => r.answer);
    const changed = [...sessions.entries()];
    // The answers are inserted in order, so their ids (which order a session's answers) follow the replies.
    await sql(Prisma.sql`
      WITH inbound AS (
        INSERT INTO inbound_message (message_sid, customer, to_number, body, session_id, received_at)
        SELECT * FROM unnest(${inbound.map((r) => r.sms.messageSid)}::text[], ${inbound.map((r) => r.sms.from)}::text[],
                             ${inbound.map((r) => r.sms.to)}::text[], ${inbound.map((r) => r.sms.body)}::text[],
                             ${inbound.map((r) => r.sessionId)}::uuid[], ${inbound.map((r) => r.sms.receivedAt)}::timestamptz[])
        ON CONFLICT DO NOTHING),
      answers AS (
        INSERT INTO survey_answer (session_id, element_id, element_type, raw_reply, value, answered_at)
        SELECT u.session_id, u.element_id, u.element_type, u.raw_reply, u.value::jsonb, u.answered_at
        FROM unnest(${this.answers.map((r) => r.sessionId)}::uuid[], ${a.map((x) => x.elementId)}::text[], ${a.map((x) => x.elementType)}::text[],
                    ${a.map((x) => x.rawReply)}::text[], ${a.map((x) => JSON.stringify(x.value))}::text[], ${a.map((x) => x.answeredAt)}::timestamptz[])
             WITH ORDINALITY AS u(session_id, element_id, element_type, raw_reply, value, answered_at, ord)
        ORDER BY u.ord),
      sessions AS (
        UPDATE survey_session s SET current_element_id = u.element_id, invalid_replies = u.invalid_replies, remind_at = NULL
        FROM unnest(${changed.map(([id]) => id)}::uuid[], ${changed.map(([, c]) => c.currentElementId)}::text[],
                    ${changed.map(([, c]) => c.invalidReplies)}::int[]) AS u(id, element_id, invalid_replies)
        WHERE s.id = u.id)
      ${commands.length > 0 ? Prisma.sql`, outbound AS (${insertOutboundSql(commands)})` : Prisma.empty}
      SELECT 1`);
  }
}
