-- A survey's reminder (settings.reminder): when it is due (cleared by the customer's first reply, or once
-- sent), and when it was sent.
ALTER TABLE "survey_session" ADD COLUMN "remind_at" TIMESTAMPTZ(3), ADD COLUMN "reminded_at" TIMESTAMPTZ(3);
CREATE INDEX "survey_session_status_remind_at_idx" ON "survey_session"("status", "remind_at") WHERE "remind_at" IS NOT NULL;
