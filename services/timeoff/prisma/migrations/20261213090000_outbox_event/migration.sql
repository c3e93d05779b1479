-- The transactional outbox (issue 18): a command writes the domain event it
-- causes in the same transaction as its change, and the relay publishes the rows
-- in position order, marks them published, and deletes them after the
-- retention. `payload` is the encoded hr.events.v1.Event.
CREATE TABLE "outbox_event" (
    "position" BIGSERIAL NOT NULL,
    "event_id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "aggregate_type" TEXT NOT NULL,
    "aggregate_id" TEXT NOT NULL,
    "aggregate_version" BIGINT NOT NULL,
    "event_type" TEXT NOT NULL,
    "payload" BYTEA NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_event_pkey" PRIMARY KEY ("position")
);

-- CreateIndex
CREATE UNIQUE INDEX "outbox_event_event_id_key" ON "outbox_event"("event_id");

-- CreateIndex
CREATE INDEX "outbox_event_published_at_position_idx" ON "outbox_event"("published_at", "position");
