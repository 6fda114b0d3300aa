import { Topics, type RecordedAnswer } from '@sms-survey/contracts';
import { Prisma, type Sql } from '@sms-survey/db';
import { COMMITTED_GRACE_SECONDS, outboxIds, outboxInsertSql } from './outbox-relay.js';
import { Scene, type LoadedScene, type OutboundRecord, type SceneNeeds, type SessionRecord } from './scene.js';
import type { TransactionOutbox } from './transaction.js';

// The scene's reads and writes: a fixed number of statements per batch, however many events it holds. Rows come
// as `pg` returns them (uuid as text, timestamps as Dates, json parsed).

/** Advisory-lock class (first key) under which one customer's Flex survey decisions are serialized. */
const FLEX_CUSTOMER_LOCK_CLASS = 4_242_101;

const SESSION_COLUMNS = Prisma.sql`id::text AS id, survey_id AS "surveyId", survey_version AS "surveyVersion", customer,
  sender_number AS "senderNumber", status, current_element_id AS "currentElementId", language,
  client_reference AS "clientReference", user_session_variables AS "userSessionVariables", origin,
  invalid_replies AS "invalidReplies", expires_at AS "expiresAt", remind_at AS "remindAt", reminded_at AS "remindedAt",
  started_at AS "startedAt", ended_at AS "endedAt", end_reason AS "endReason"`;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** Dates of a session row as `to_json` writes them (ISO 8601 with an offset). */
type SessionJson = Omit<SessionRecord, 'answers' | 'expiresAt' | 'remindAt' | 'remindedAt' | 'startedAt' | 'endedAt'> &
  Record<'expiresAt' | 'startedAt', string> &
  Record<'remindAt' | 'remindedAt' | 'endedAt', string | null>;

const date = (value: string | null) => (value === null ? null : new Date(value));

/**
 * Loads what a batch needs, locking what it will change: the SMS its delivery reports are about, its Flex
 * customers (advisory locks: two tasks of one customer may be on different partitions), then in one statement
 * its sessions with their answers and the customers' suppression flags. Rows are locked in a stable order (by
 * id), so two batches wait for each other instead of deadlocking; a locked row is read as its latest committed
 * version. With `record`, the same statement records the batch's event ids as applied (exactly once) and says
 * which were not applied before.
 */
export async function loadScene(
  sql: Sql,
  needs: SceneNeeds,
  outbox: TransactionOutbox,
  record?: { consumerGroup: string; eventIds: readonly string[] },
): Promise<{ scene: Scene; fresh: Set<string> }> {
  const outbound =
    needs.commandIds.size + needs.messageSids.size === 0
      ? []
      : await sql<OutboundRecord>(Prisma.sql`
          SELECT command_id::text AS "commandId", session_id::text AS "sessionId", status, message_sid AS "messageSid"
          FROM outbound_message WHERE command_id = ANY(${[...needs.commandIds]}::uuid[]) OR message_sid = ANY(${[...needs.messageSids]}::text[])
          ORDER BY command_id FOR UPDATE`);
  const sessionIds = new Set(needs.sessionIds);
  for (const o of outbound) if (o.sessionId) sessionIds.add(o.sessionId);

  const flex = await loadFlexFacts(sql, needs);

  const lookups = [...needs.lookups.values()];
  const eventIds = record ? [...new Set(record.eventIds)] : [];
  // One row per recorded event id (r), session (s), answer of an active session (a) and suppressed customer (x).
  const rows = await sql<{ kind: 'r' | 's' | 'a' | 'x'; data: unknown }>(Prisma.sql`
    WITH recorded AS (
      INSERT INTO processed_message (consumer_group, message_id)
      SELECT ${record?.consumerGroup ?? ''}, id FROM unnest(${eventIds}::uuid[]) AS u(id)
      ON CONFLICT DO NOTHING
      RETURNING message_id::text AS id),
    s AS (
      SELECT ${SESSION_COLUMNS} FROM survey_session WHERE id IN (
        SELECT id FROM survey_session WHERE customer = ANY(${[...needs.customers]}::text[]) AND status = 'active'
        UNION SELECT id FROM survey_session WHERE id = ANY(${[...sessionIds]}::uuid[])
        UNION SELECT l.id FROM unnest(${lookups.map((l) => l.customer)}::text[], ${lookups.map((l) => l.sender)}::text[]) AS k(customer, sender)
          CROSS JOIN LATERAL (
            SELECT id FROM survey_session s WHERE s.customer = k.customer AND (k.sender IS NULL OR s.sender_number = k.sender)
            ORDER BY (s.status = 'active') DESC, s.started_at DESC LIMIT 1) l)
      ORDER BY id FOR UPDATE)
    SELECT 'r' AS kind, to_json(id) AS data, 0::bigint AS ord FROM recorded
    UNION ALL SELECT 's', to_json(s), 0 FROM s
    UNION ALL
      SELECT 'a', json_build_object('sessionId', a.session_id, 'elementId', a.element_id, 'elementType', a.element_type,
                                    'rawReply', a.raw_reply, 'value', a.value, 'answeredAt', a.answered_at), a.id
      FROM survey_answer a JOIN s ON a.session_id = s.id::uuid WHERE s.status = 'active'
    UNION ALL
      SELECT 'x', json_build_object('customer', sc.customer, 'reason', sc.reason), 0 FROM suppressed_customer sc
      WHERE sc.customer = ANY(${[...needs.customers]}::text[]) OR sc.customer IN (SELECT customer FROM s)
    ORDER BY kind, ord`);

  const fresh = new Set<string>();
  const sessions: SessionRecord[] = [];
  const answersOf = new Map<string, RecordedAnswer[]>();
  const suppressed = new Map<string, string>();
  for (const { kind, data } of rows) {
    if (kind === 'r') fresh.add(data as string);
    else if (kind === 's') {
      const s = data as SessionJson;
      sessions.push({ ...s, expiresAt: new Date(s.expiresAt), startedAt: new Date(s.startedAt), remindAt: date(s.remindAt), remindedAt: date(s.remindedAt), endedAt: date(s.endedAt), answers: [] });
    } else if (kind === 'a') {
      const { sessionId, answeredAt, ...a } = data as RecordedAnswer & { sessionId: string };
      const list = answersOf.get(sessionId) ?? [];
      list.push({ ...a, answeredAt: new Date(answeredAt).toISOString() });
      answersOf.set(sessionId, list);
    } else {
      const x = data as { customer: string; reason: string };
      suppressed.set(x.customer, x.reason);
    }
  }
  for (const s of sessions) s.answers = answersOf.get(s.id) ?? [];
  const loaded: LoadedScene = { sessions, suppressed, outbound, ...flex };
  return { scene: new Scene(loaded, outbox), fresh };
}

async function loadFlexFacts(sql: Sql, needs: SceneNeeds): Promise<Pick<LoadedScene, 'claimedTasks' | 'lastFlexSurveyAt' | 'latestVersions'>> {
  if (needs.flexTasks.size === 0) return { claimedTasks: new Set(), lastFlexSurveyAt: new Map(), latestVersions: new Map() };
  const tasks = [...needs.flexTasks.keys()];
  const customers = [...new Set([...needs.flexTasks.values()].map((t) => t.customer))].sort();
  const surveys = [...new Set([...needs.flexTasks.values()].map((t) => t.surveyId))];
  // In a stable order (sorted), one after the other, as unnest yields them.
  await sql(Prisma.sql`
    SELECT count(*) FROM (SELECT pg_advisory_xact_lock(${FLEX_CUSTOMER_LOCK_CLASS}::int, hashtext(c)) FROM unnest(${customers}::text[]) AS u(c)) locked`);
  const claimed = await sql<{ taskSid: string }>(Prisma.sql`SELECT task_sid AS "taskSid" FROM flex_task_survey WHERE task_sid = ANY(${tasks}::text[])`);
  const last = await sql<{ customer: string; at: Date }>(Prisma.sql`
    SELECT customer, max(started_at) AS at FROM survey_session
    WHERE customer = ANY(${customers}::text[]) AND origin->>'kind' = 'flex-task' GROUP BY customer`);
  const latest = await sql<{ surveyId: string; version: number }>(Prisma.sql`
    SELECT survey_id AS "surveyId", max(version) AS version FROM survey_definition WHERE survey_id = ANY(${surveys}::text[]) GROUP BY survey_id`);
  return {
    claimedTasks: new Set(claimed.map((c) => c.taskSid)),
    lastFlexSurveyAt: new Map(last.map((l) => [l.customer, l.at])),
    latestVersions: new Map(latest.map((l) => [l.surveyId, l.version])),
  };
}

/**
 * Writes what the scene's events did, and its outbox: one statement per kind of effect, skipped when there is
 * none, sent as one (data-modifying CTEs) where no two of them touch the same row.
 */
export async function flushScene(sql: Sql, scene: Scene): Promise<void> {
  const { writes } = scene;
  /** Each a statement; the ones before the last become CTEs (`w0`, `w1`, … unless named). */
  const statements: (Prisma.Sql | { cte: string; sql: Prisma.Sql })[] = [];

  const suppression = scene.suppressionChanges();
  if (suppression.remove.length > 0) {
    statements.push(Prisma.sql`DELETE FROM suppressed_customer WHERE customer = ANY(${suppression.remove}::text[])`);
  }
  if (suppression.add.length > 0) {
    statements.push(Prisma.sql`
      INSERT INTO suppressed_customer (customer, reason)
      SELECT * FROM unnest(${suppression.add.map((s) => s.customer)}::text[], ${suppression.add.map((s) => s.reason)}::text[])
      ON CONFLICT DO NOTHING`);
  }

  // Rows referring to a session created here (its answers) are checked at the end of the statement.
  const created = [...writes.created].map((id) => scene.session(id)!);
  if (created.length > 0) statements.push(insertSessions(created));

  // SMS of sessions that ended, still held in the outbox for later; a row being published right now is waited
  // for and then left alone (it is on its way to the dispatcher), and so is a row due at once and younger than
  // COMMITTED_GRACE_SECONDS: its transaction publishes it from memory right after committing (outbox-relay.ts).
  // With the other writes unless the batch also changes outbound messages (one row may not be changed twice in
  // one statement); it cannot see the outbox rows this statement writes, as if it ran first.
  if (writes.ended.size > 0) {
    const held = Prisma.sql`
      DELETE FROM outbox_event
      WHERE published_at IS NULL AND topic = ${Topics.smsSend.name} AND payload->'payload'->>'sessionId' = ANY(${[...writes.ended]}::text[])
        AND (available_at > created_at OR created_at < now() - make_interval(secs => ${COMMITTED_GRACE_SECONDS}))
      RETURNING (payload->'payload'->>'commandId')::uuid AS command_id`;
    const canceled = Prisma.sql`
      UPDATE outbound_message o SET status = 'canceled', updated_at = now() FROM held WHERE o.command_id = held.command_id AND o.status = 'requested'`;
    if (writes.outbound.size > 0) await sql(Prisma.sql`WITH held AS (${held}) ${canceled}`);
    else statements.push({ cte: 'held', sql: held }, canceled);
  }

  const changed = [...writes.changed].map((id) => scene.session(id)!);
  if (changed.length > 0) statements.push(updateSessions(changed));
  if (writes.inbound.length > 0) {
    const rows = writes.inbound;
    statements.push(Prisma.sql`
      INSERT INTO inbound_message (message_sid, customer, to_number, body, session_id, received_at)
      SELECT * FROM unnest(${rows.map((r) => r.sms.messageSid)}::text[], ${rows.map((r) => r.sms.from)}::text[],
                           ${rows.map((r) => r.sms.to)}::text[], ${rows.map((r) => r.sms.body)}::text[],
                           ${rows.map((r) => r.sessionId)}::uuid[], ${rows.map((r) => r.sms.receivedAt)}::timestamptz[])
      ON CONFLICT DO NOTHING`);
  }
  if (writes.answers.length > 0) {
    const a = writes.answers.map((r) => r.answer);
    // In order, so their ids (which order a session's answers) follow the replies.
    statements.push(Prisma.sql`
      INSERT INTO survey_answer (session_id, element_id, element_type, raw_reply, value, answered_at)
      SELECT u.session_id, u.element_id, u.element_type, u.raw_reply, u.value::jsonb, u.answered_at
      FROM unnest(${writes.answers.map((r) => r.sessionId)}::uuid[], ${a.map((x) => x.elementId)}::text[], ${a.map((x) => x.elementType)}::text[],
                  ${a.map((x) => x.rawReply)}::text[], ${a.map((x) => JSON.stringify(x.value))}::text[], ${a.map((x) => x.answeredAt)}::timestamptz[])
           WITH ORDINALITY AS u(session_id, element_id, element_type, raw_reply, value, answered_at, ord)
      ORDER BY u.ord`);
  }
  const queued = new Set(writes.commands.map((c) => c.row.commandId));
  if (writes.commands.length > 0) {
    const rows = writes.commands.map((c) => {
      const change = writes.outbound.get(c.row.commandId);
      return { ...c.row, status: change?.status ?? (writes.canceledCommands.has(c.row.commandId) ? 'canceled' : 'requested'), messageSid: change?.messageSid ?? null, errorCode: change?.errorCode ?? null };
    });
    statements.push(Prisma.sql`
      INSERT INTO outbound_message (command_id, session_id, customer, from_number, body, status, message_sid, error_code, created_at, updated_at)
      SELECT u.command_id, u.session_id, u.customer, u.from_number, u.body, u.status, u.message_sid, u.error_code, u.created_at, u.created_at
      FROM unnest(${rows.map((r) => r.commandId)}::uuid[], ${rows.map((r) => r.sessionId)}::uuid[], ${rows.map((r) => r.customer)}::text[],
                  ${rows.map((r) => r.from)}::text[], ${rows.map((r) => r.body)}::text[], ${rows.map((r) => r.status)}::text[],
                  ${rows.map((r) => r.messageSid)}::text[], ${rows.map((r) => r.errorCode)}::int[], ${rows.map((r) => r.createdAt.toISOString())}::timestamptz[])
           AS u(command_id, session_id, customer, from_number, body, status, message_sid, error_code, created_at)`);
  }
  const updates = [...writes.outbound].filter(([id]) => !queued.has(id));
  if (updates.length > 0) {
    statements.push(Prisma.sql`
      UPDATE outbound_message o SET status = coalesce(u.status, o.status), message_sid = coalesce(u.message_sid, o.message_sid),
        error_code = CASE WHEN u.sets_error THEN u.error_code ELSE o.error_code END, updated_at = now()
      FROM unnest(${updates.map(([id]) => id)}::uuid[], ${updates.map(([, c]) => c.status ?? null)}::text[], ${updates.map(([, c]) => c.messageSid ?? null)}::text[],
                  ${updates.map(([, c]) => c.errorCode !== undefined)}::boolean[], ${updates.map(([, c]) => c.errorCode ?? null)}::int[])
           AS u(command_id, status, message_sid, sets_error, error_code)
      WHERE o.command_id = u.command_id`);
  }
  if (writes.flexClaims.length > 0) {
    statements.push(Prisma.sql`
      INSERT INTO flex_task_survey (task_sid, session_id)
      SELECT * FROM unnest(${writes.flexClaims.map((c) => c.taskSid)}::text[], ${writes.flexClaims.map((c) => c.sessionId)}::uuid[])`);
  }
  const entries = scene.outbox.take();
  if (entries.length > 0) statements.push(outboxInsertSql(entries));
  if (statements.length === 0) return;
  // The last statement is the main one (the outbox INSERT, whose ids it returns); the others are CTEs.
  const main = statements.pop() as Prisma.Sql;
  const ctes = statements.map((s, i) => ('cte' in s ? Prisma.sql`${Prisma.raw(s.cte)} AS (${s.sql})` : Prisma.sql`${Prisma.raw(`w${i}`)} AS (${s})`));
  const query = ctes.length === 0 ? main : Prisma.sql`WITH ${Prisma.join(ctes, ', ')} ${main}`;
  const rows = await sql<{ id: bigint | string }>(query);
  if (entries.length > 0) scene.outbox.wrote(outboxIds(rows), entries);
}

function insertSessions(sessions: readonly SessionRecord[]): Prisma.Sql {
  const col = <T>(f: (s: SessionRecord) => T) => sessions.map(f);
  return Prisma.sql`
    INSERT INTO survey_session (id, survey_id, survey_version, customer, sender_number, status, current_element_id, language, client_reference,
      user_session_variables, origin, invalid_replies, expires_at, remind_at, reminded_at, started_at, ended_at, end_reason)
    SELECT u.id, u.survey_id, u.survey_version, u.customer, u.sender_number, u.status, u.current_element_id, u.language, u.client_reference,
      u.variables::jsonb, u.origin::jsonb, u.invalid_replies, u.expires_at, u.remind_at, u.reminded_at, u.started_at, u.ended_at, u.end_reason
    FROM unnest(${col((s) => s.id)}::uuid[], ${col((s) => s.surveyId)}::text[], ${col((s) => s.surveyVersion)}::int[], ${col((s) => s.customer)}::text[],
                ${col((s) => s.senderNumber)}::text[], ${col((s) => s.status)}::text[], ${col((s) => s.currentElementId)}::text[], ${col((s) => s.language)}::text[],
                ${col((s) => s.clientReference)}::text[], ${col((s) => JSON.stringify(s.userSessionVariables))}::text[],
                ${col((s) => (s.origin ? JSON.stringify(s.origin) : null))}::text[], ${col((s) => s.invalidReplies)}::int[],
                ${col((s) => iso(s.expiresAt))}::timestamptz[], ${col((s) => iso(s.remindAt))}::timestamptz[], ${col((s) => iso(s.remindedAt))}::timestamptz[],
                ${col((s) => iso(s.startedAt))}::timestamptz[], ${col((s) => iso(s.endedAt))}::timestamptz[], ${col((s) => s.endReason)}::text[])
         AS u(id, survey_id, survey_version, customer, sender_number, status, current_element_id, language, client_reference,
              variables, origin, invalid_replies, expires_at, remind_at, reminded_at, started_at, ended_at, end_reason)`;
}

/** The sessions' changeable columns, set to their state in memory (the rows are locked, so memory is current). */
function updateSessions(sessions: readonly SessionRecord[]): Prisma.Sql {
  const col = <T>(f: (s: SessionRecord) => T) => sessions.map(f);
  return Prisma.sql`
    UPDATE survey_session s SET status = u.status, current_element_id = u.current_element_id, invalid_replies = u.invalid_replies,
      remind_at = u.remind_at, reminded_at = u.reminded_at, ended_at = u.ended_at, end_reason = u.end_reason
    FROM unnest(${col((s) => s.id)}::uuid[], ${col((s) => s.status)}::text[], ${col((s) => s.currentElementId)}::text[], ${col((s) => s.invalidReplies)}::int[],
                ${col((s) => iso(s.remindAt))}::timestamptz[], ${col((s) => iso(s.remindedAt))}::timestamptz[], ${col((s) => iso(s.endedAt))}::timestamptz[],
                ${col((s) => s.endReason)}::text[])
         AS u(id, status, current_element_id, invalid_replies, remind_at, reminded_at, ended_at, end_reason)
    WHERE s.id = u.id`;
}
