-- CreateTable
CREATE TABLE "follow_up_task" (
    "session_id" UUID NOT NULL,
    "element_id" TEXT NOT NULL,
    "task_sid" TEXT,
    "state" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "follow_up_task_pkey" PRIMARY KEY ("session_id","element_id")
);
