-- The results API (apps/ingest-gateway/src/api/survey-results.ts) reads one survey's sessions, newest first and
-- by start time: its aggregates and its keyset-paged export ((started_at, id) < cursor) walk this index.
-- CreateIndex
CREATE INDEX "survey_session_survey_id_started_at_id_idx" ON "survey_session"("survey_id", "started_at", "id");
