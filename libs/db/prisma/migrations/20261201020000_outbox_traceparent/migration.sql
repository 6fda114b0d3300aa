-- The W3C trace context (traceparent) of the work that wrote an outbox row, put on the Kafka message when the
-- row is published, so a trace goes on across the commit (docs/observability.md). Null when nothing was traced.
ALTER TABLE "outbox_event" ADD COLUMN "traceparent" TEXT;
