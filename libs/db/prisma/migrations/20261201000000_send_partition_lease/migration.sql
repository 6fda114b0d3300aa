-- Which dispatcher replica holds each partition of sms.send.v1, and since which epoch. A claim in the send
-- ledger succeeds only under the partition's current epoch, so a replica that lost a partition (and may not
-- know yet) can no longer start sends for its senders.
CREATE TABLE "send_partition_lease" (
    "topic" TEXT NOT NULL,
    "partition" INTEGER NOT NULL,
    "owner" TEXT NOT NULL,
    "epoch" BIGINT NOT NULL,
    "taken_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "send_partition_lease_pkey" PRIMARY KEY ("topic", "partition")
);
