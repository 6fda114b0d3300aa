-- DropIndex
DROP INDEX "outbox_event_published_at_id_idx";

-- AlterTable
ALTER TABLE "outbox_event" ADD COLUMN     "available_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateTable
CREATE TABLE "survey_definition" (
    "survey_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "definition" JSONB NOT NULL,
    "content_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "survey_definition_pkey" PRIMARY KEY ("survey_id","version")
);

-- CreateIndex
CREATE INDEX "outbox_event_published_at_available_at_id_idx" ON "outbox_event"("published_at", "available_at", "id");

