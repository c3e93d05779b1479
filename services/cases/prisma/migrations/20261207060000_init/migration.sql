-- CreateTable
CREATE TABLE "onboarding_cases" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "application_id" UUID,
    "state" TEXT NOT NULL,
    "current_step" TEXT,
    "new_hire" JSONB NOT NULL,
    "steps" JSONB NOT NULL,
    "attempts" INTEGER NOT NULL,
    "last_error" JSONB,
    "next_attempt_time" TIMESTAMPTZ(3),
    "revision" INTEGER NOT NULL,
    "cancel_reason" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "create_time" TIMESTAMPTZ(3) NOT NULL,
    "update_time" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "onboarding_cases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_records" (
    "tenant_id" TEXT NOT NULL,
    "request_id" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "response" JSONB,
    "create_time" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_records_pkey" PRIMARY KEY ("tenant_id","request_id")
);

-- CreateIndex
CREATE INDEX "onboarding_cases_tenant_id_id_idx" ON "onboarding_cases"("tenant_id", "id");

-- CreateIndex
CREATE INDEX "onboarding_cases_tenant_id_state_id_idx" ON "onboarding_cases"("tenant_id", "state", "id");

-- CreateIndex
CREATE INDEX "onboarding_cases_next_attempt_time_idx" ON "onboarding_cases"("next_attempt_time");

-- CreateIndex
CREATE UNIQUE INDEX "onboarding_cases_one_per_application" ON "onboarding_cases"("tenant_id", "application_id");

-- CreateIndex
CREATE INDEX "idempotency_records_create_time_idx" ON "idempotency_records"("create_time");


-- The domain's values, enforced by the database too (Prisma cannot declare CHECKs)
ALTER TABLE "onboarding_cases" ADD CONSTRAINT "onboarding_cases_state_check"
    CHECK ("state" IN ('in_progress', 'stopped', 'completed', 'cancelling', 'cancelled'));
ALTER TABLE "onboarding_cases" ADD CONSTRAINT "onboarding_cases_current_step_check"
    CHECK ("current_step" IN ('hire_employee', 'create_login', 'open_leave_accounts', 'notify'));
ALTER TABLE "onboarding_cases" ADD CONSTRAINT "onboarding_cases_counts_check"
    CHECK ("attempts" >= 0 AND "revision" >= 0 AND "version" >= 1);

-- The transactional outbox, as in every data service (the relay reads it):
-- empty until the context declares events.
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
