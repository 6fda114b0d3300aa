import type { PrismaClient } from '@sms-survey/db';

export type LedgerState = 'sending' | 'retry' | 'sent' | 'failed';

export interface LedgerEntry {
  state: LedgerState;
  messageSid: string | null;
  errorCode: number | null;
  updatedAt: Date;
}

/**
 * The send ledger: one row per send command, claimed before Twilio is called. Only the claimant sends; a
 * redelivered command finds the row and does not send again. A row left in `sending` means a dispatcher
 * died between claiming and recording Twilio's answer; the handler settles it by asking Twilio.
 */
export function createSendLedger(prisma: PrismaClient) {
  return {
    /** True when this caller now owns the send (new command, or one whose earlier attempt is marked retry). */
    async claim(commandId: string): Promise<boolean> {
      const claimed = await prisma.$executeRaw`
        INSERT INTO send_ledger (command_id, state, updated_at) VALUES (${commandId}::uuid, 'sending', now())
        ON CONFLICT (command_id) DO UPDATE SET state = 'sending', updated_at = now()
        WHERE send_ledger.state = 'retry'`;
      return claimed === 1;
    },
    async get(commandId: string): Promise<LedgerEntry | null> {
      const row = await prisma.sendLedger.findUnique({ where: { commandId } });
      return row && { state: row.state as LedgerState, messageSid: row.messageSid, errorCode: row.errorCode, updatedAt: row.updatedAt };
    },
    async markSent(commandId: string, messageSid: string): Promise<void> {
      await prisma.sendLedger.update({ where: { commandId }, data: { state: 'sent', messageSid } });
    },
    async markFailed(commandId: string, errorCode: number | undefined): Promise<void> {
      await prisma.sendLedger.update({ where: { commandId }, data: { state: 'failed', errorCode: errorCode ?? null } });
    },
    /** Takes over a `sending` row that has not moved since `staleBefore` (its dispatcher died). */
    async takeOver(commandId: string, staleBefore: Date): Promise<boolean> {
      const taken = await prisma.$executeRaw`
        UPDATE send_ledger SET updated_at = now() WHERE command_id = ${commandId}::uuid AND state = 'sending' AND updated_at < ${staleBefore}`;
      return taken === 1;
    },
    /** Twilio certainly did not take it (an error answer): a later attempt may send. */
    async release(commandId: string): Promise<void> {
      await prisma.sendLedger.update({ where: { commandId }, data: { state: 'retry' } });
    },
  };
}

export type SendLedger = ReturnType<typeof createSendLedger>;
