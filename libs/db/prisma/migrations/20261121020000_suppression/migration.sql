-- CreateTable
CREATE TABLE "suppressed_customer" (
    "customer" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "suppressed_customer_pkey" PRIMARY KEY ("customer")
);

