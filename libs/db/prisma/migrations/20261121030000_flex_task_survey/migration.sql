-- CreateTable
CREATE TABLE "flex_task_survey" (
    "task_sid" TEXT NOT NULL,
    "session_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "flex_task_survey_pkey" PRIMARY KEY ("task_sid")
);
