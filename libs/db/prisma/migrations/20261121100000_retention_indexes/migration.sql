-- The retention purge (libs/db/src/retention.ts) finds old rows by these columns.
-- CreateIndex
CREATE INDEX "processed_message_processed_at_idx" ON "processed_message"("processed_at");

-- CreateIndex
CREATE INDEX "send_ledger_updated_at_idx" ON "send_ledger"("updated_at");
