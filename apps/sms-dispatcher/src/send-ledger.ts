import { Prisma, type RetentionRule, type Sql } from '@sms-survey/db';

export type LedgerState = 'sending' | 'retry' | 'sent' | 'failed';

export interface LedgerEntry {
  state: LedgerState;
  messageSid: string | null;
  errorCode: number | null;
  updatedAt: Date;
}

/** A claim of a send, under the lease of the command's partition (or unfenced: `fence` absent). */
export interface Claim {
  commandId: string;
  fence?: { topic: string; partition: number; epoch: string };
}

export type ClaimResult = 'claimed' | 'exists' | 'fenced';

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
  /**
   * Claims sends. Each claim is `claimed` (this caller now owns the send: a new command, or one whose earlier
   * attempt was released), `exists` (claimed or settled before), or `fenced` (made under a lease epoch that is
   * no longer the partition's: another replica holds it now, partition-leases.ts). A claim without a fence is
   * not checked against any lease.
   */
  async function claimMany(claims: readonly Claim[]): Promise<Map<string, ClaimResult>> {
    const results = new Map<string, ClaimResult>();
    if (claims.length === 0) return results;
    // Distinct ids: ON CONFLICT DO UPDATE may not touch one row twice in a statement.
    const distinct = [...new Map(claims.map((c) => [c.commandId, c])).values()];
    const ids = distinct.map((c) => c.commandId);
    const topics = distinct.map((c) => c.fence?.topic ?? null);
    const partitions = distinct.map((c) => c.fence?.partition ?? null);
    const epochs = distinct.map((c) => c.fence?.epoch ?? null);
    // FOR SHARE: a lease being taken waits for the claims under its old epoch, and they for it.
    const [row] = await sql<{ allowed: string[]; claimed: string[] }>(Prisma.sql`
      WITH requested AS (
        SELECT * FROM unnest(${ids}::uuid[], ${topics}::text[], ${partitions}::int[], ${epochs}::bigint[]) AS u(id, topic, partition, epoch)
      ), fenced_in AS (
        SELECT r.id FROM requested r
        JOIN send_partition_lease l ON l.topic = r.topic AND l.partition = r.partition AND l.epoch = r.epoch
        FOR SHARE OF l
      ), allowed AS (
        SELECT id FROM requested WHERE topic IS NULL
        UNION ALL
        SELECT id FROM fenced_in
      ), claimed AS (
        INSERT INTO send_ledger (command_id, state, updated_at)
        SELECT id, 'sending', now() FROM allowed
        ON CONFLICT (command_id) DO UPDATE SET state = 'sending', updated_at = now()
        WHERE send_ledger.state = 'retry'
        RETURNING command_id
      )
      SELECT ARRAY(SELECT id::text FROM allowed) AS allowed, ARRAY(SELECT command_id::text FROM claimed) AS claimed`);
    const allowed = new Set(row?.allowed ?? []);
    const claimed = new Set(row?.claimed ?? []);
    for (const id of ids) results.set(id, claimed.has(id) ? 'claimed' : allowed.has(id) ? 'exists' : 'fenced');
    return results;
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
    claimMany,
    /** Records what became of claimed sends. */
    recordMany,
    async claim(commandId: string): Promise<boolean> {
      return (await claimMany([{ commandId }])).get(commandId) === 'claimed';
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
