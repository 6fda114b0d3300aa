-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "processed_message" (
    "consumer_group" TEXT NOT NULL,
    "message_id" UUID NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_message_pkey" PRIMARY KEY ("consumer_group","message_id")
);

-- CreateTable
CREATE TABLE "outbox_event" (
    "id" BIGSERIAL NOT NULL,
    "topic" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "survey_session" (
    "id" UUID NOT NULL,
    "survey_id" TEXT NOT NULL,
    "survey_version" INTEGER NOT NULL,
    "customer" TEXT NOT NULL,
    "sender_number" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "current_element_id" TEXT,
    "language" TEXT NOT NULL,
    "client_reference" TEXT,
    "user_session_variables" JSONB NOT NULL DEFAULT '[]',
    "origin" JSONB,
    "invalid_replies" INTEGER NOT NULL DEFAULT 0,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMPTZ(3),
    "end_reason" TEXT,

    CONSTRAINT "survey_session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "survey_answer" (
    "id" BIGSERIAL NOT NULL,
    "session_id" UUID NOT NULL,
    "element_id" TEXT NOT NULL,
    "element_type" TEXT NOT NULL,
    "raw_reply" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "answered_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "survey_answer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inbound_message" (
    "message_sid" TEXT NOT NULL,
    "customer" TEXT NOT NULL,
    "to_number" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "session_id" UUID,
    "received_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "inbound_message_pkey" PRIMARY KEY ("message_sid")
);

-- CreateTable
CREATE TABLE "outbound_message" (
    "command_id" UUID NOT NULL,
    "session_id" UUID,
    "customer" TEXT NOT NULL,
    "from_number" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "message_sid" TEXT,
    "status" TEXT NOT NULL,
    "error_code" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "outbound_message_pkey" PRIMARY KEY ("command_id")
);

-- CreateTable
CREATE TABLE "send_ledger" (
    "command_id" UUID NOT NULL,
    "state" TEXT NOT NULL,
    "message_sid" TEXT,
    "error_code" INTEGER,
    "claimed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "send_ledger_pkey" PRIMARY KEY ("command_id")
);

-- CreateTable
CREATE TABLE "linked_task" (
    "session_id" UUID NOT NULL,
    "task_sid" TEXT,
    "state" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "linked_task_pkey" PRIMARY KEY ("session_id")
);

-- CreateIndex
CREATE INDEX "outbox_event_published_at_id_idx" ON "outbox_event"("published_at", "id");

-- CreateIndex
CREATE INDEX "survey_session_customer_status_idx" ON "survey_session"("customer", "status");

-- CreateIndex
CREATE INDEX "survey_session_customer_sender_number_status_idx" ON "survey_session"("customer", "sender_number", "status");

-- CreateIndex
CREATE INDEX "survey_session_status_expires_at_idx" ON "survey_session"("status", "expires_at");

-- CreateIndex
CREATE INDEX "survey_answer_session_id_idx" ON "survey_answer"("session_id");

-- CreateIndex
CREATE UNIQUE INDEX "outbound_message_message_sid_key" ON "outbound_message"("message_sid");

-- CreateIndex
CREATE INDEX "outbound_message_session_id_idx" ON "outbound_message"("session_id");

-- AddForeignKey
ALTER TABLE "survey_answer" ADD CONSTRAINT "survey_answer_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "survey_session"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

