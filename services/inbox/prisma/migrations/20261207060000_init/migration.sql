-- CreateTable
CREATE TABLE "notifications" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "recipient_employee_id" UUID NOT NULL,
    "sequence" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "read_time" TIMESTAMPTZ(3),
    "version" INTEGER NOT NULL,
    "create_time" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
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
CREATE INDEX "notifications_tenant_id_id_idx" ON "notifications"("tenant_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "notifications_tenant_id_recipient_employee_id_sequence_key" ON "notifications"("tenant_id", "recipient_employee_id", "sequence");

-- CreateIndex
CREATE INDEX "idempotency_records_create_time_idx" ON "idempotency_records"("create_time");


-- Hand-written: Prisma 6's schema language has no CHECK constraints. The
-- database refuses what the domain (services/inbox/notification) never
-- writes, so a bug or a hand-made UPDATE cannot store it either.
ALTER TABLE "notifications"
    ADD CONSTRAINT "notifications_kind_check" CHECK ("kind" IN ('welcome', 'new_report', 'login_created', 'leave_decided')),
    ADD CONSTRAINT "notifications_sequence_check" CHECK ("sequence" >= 1),
    ADD CONSTRAINT "notifications_version_check" CHECK ("version" >= 1),
    ADD CONSTRAINT "notifications_title_check" CHECK (char_length("title") BETWEEN 1 AND 200),
    ADD CONSTRAINT "notifications_body_check" CHECK (char_length("body") <= 2000),
    ADD CONSTRAINT "notifications_subject_check" CHECK (char_length("subject") <= 300);
