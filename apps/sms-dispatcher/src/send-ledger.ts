import { Prisma, type RetentionRule, type Sql } from '@sms-survey/db';

export type LedgerState = 'sending' | 'retry' | 'sent' | 'failed';

export interface LedgerEntry {
  state: LedgerState;
  messageSid: string | null;
  errorCode: number | null;
  updatedAt: Date;
}

/** What became of a claimed send: `sent` (with Twilio's sid), `failed` (with its code), or `retry` (released). */
export type LedgerOutcome =
  | { commandId: string; state: 'sent'; messageSid: string }
  | { commandId: string; state: 'failed'; errorCode?: number | undefined }
  | { commandId: string; state: 'retry' };

/**
 * The send ledger: one row per send command, claimed before Twilio is called. Only the claimant sends; a
 * redelivered command finds the row and does not send again. A row left in `sending` means a dispatcher
 * died between claiming and recording Twilio's answer; the handler settles it by asking Twilio.
 *
 * Claims and outcomes are written many commands per statement (raw SQL over `unnest`, one commit each); the
 * dispatcher gathers the commands of a few milliseconds into one call (send-command.handler.ts). The statements
 * run on plain `pg` (`poolSql`): through Prisma's client each cost about ten times the CPU.
 */
export function createSendLedger(sql: Sql) {
  async function claimMany(commandIds: readonly string[]): Promise<Set<string>> {
    if (commandIds.length === 0) return new Set();
    // Distinct ids: ON CONFLICT DO UPDATE may not touch one row twice in a statement.
    const ids = [...new Set(commandIds)];
    const rows = await sql<{ command_id: string }>(Prisma.sql`
      INSERT INTO send_ledger (command_id, state, updated_at)
      SELECT id, 'sending', now() FROM unnest(${ids}::uuid[]) AS id
      ON CONFLICT (command_id) DO UPDATE SET state = 'sending', updated_at = now()
      WHERE send_ledger.state = 'retry'
      RETURNING command_id::text`);
    return new Set(rows.map((r) => r.command_id));
  }

  async function recordMany(outcomes: readonly LedgerOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    const ids: string[] = [];
    const states: string[] = [];
    const sids: (string | null)[] = [];
    const codes: (number | null)[] = [];
    for (const o of outcomes) {
      ids.push(o.commandId);
      states.push(o.state);
      sids.push(o.state === 'sent' ? o.messageSid : null);
      codes.push(o.state === 'failed' ? (o.errorCode ?? null) : null);
    }
    await sql(Prisma.sql`
      UPDATE send_ledger AS l
      SET state = u.state,
          message_sid = CASE WHEN u.state = 'sent' THEN u.sid ELSE l.message_sid END,
          error_code = CASE WHEN u.state = 'failed' THEN u.code ELSE l.error_code END,
          updated_at = now()
      FROM unnest(${ids}::uuid[], ${states}::text[], ${sids}::text[], ${codes}::int[]) AS u(id, state, sid, code)
      WHERE l.command_id = u.id`);
  }

  return {
    /** The ids this caller now owns the send of (new commands, or ones whose earlier attempt is marked retry). */
    claimMany,
    /** Records what became of claimed sends. */
    recordMany,
    async claim(commandId: string): Promise<boolean> {
      return (await claimMany([commandId])).has(commandId);
    },
    async get(commandId: string): Promise<LedgerEntry | null> {
      const [row] = await sql<{ state: string; message_sid: string | null; error_code: number | null; updated_at: Date }>(Prisma.sql`
        SELECT state, message_sid, error_code, updated_at FROM send_ledger WHERE command_id = ${commandId}::uuid`);
      return row ? { state: row.state as LedgerState, messageSid: row.message_sid, errorCode: row.error_code, updatedAt: row.updated_at } : null;
    },
    async markSent(commandId: string, messageSid: string): Promise<void> {
      await recordMany([{ commandId, state: 'sent', messageSid }]);
    },
    async markFailed(commandId: string, errorCode: number | undefined): Promise<void> {
      await recordMany([{ commandId, state: 'failed', errorCode }]);
    },
    /** Takes over a `sending` row that has not moved since `staleBefore` (its dispatcher died). */
    async takeOver(commandId: string, staleBefore: Date): Promise<boolean> {
      const taken = await sql(Prisma.sql`
        UPDATE send_ledger SET updated_at = now()
        WHERE command_id = ${commandId}::uuid AND state = 'sending' AND updated_at < ${staleBefore}::timestamptz
        RETURNING command_id`);
      return taken.length === 1;
    },
    /** Twilio certainly did not take it (an error answer, or no request made): a later attempt may send. */
    async release(commandId: string): Promise<void> {
      await recordMany([{ commandId, state: 'retry' }]);
    },
  };
}

export type SendLedger = ReturnType<typeof createSendLedger>;

/** Ledger rows of commands settled for good (sent, failed) are deleted after `days`; others are never. */
export function sendLedgerRetention(days: number): RetentionRule {
  return { table: 'send_ledger', column: 'updated_at', keepSeconds: days * 86_400, onlyWhere: Prisma.sql`state IN ('sent', 'failed')` };
}
