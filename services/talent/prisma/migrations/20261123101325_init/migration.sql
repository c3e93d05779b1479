-- CreateTable
CREATE TABLE "job_openings" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "department_id" UUID NOT NULL,
    "headcount" INTEGER NOT NULL,
    "description" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "create_time" TIMESTAMPTZ(3) NOT NULL,
    "update_time" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "job_openings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "applications" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "job_opening_id" UUID NOT NULL,
    "candidate_name" TEXT NOT NULL,
    "candidate_email" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "create_time" TIMESTAMPTZ(3) NOT NULL,
    "update_time" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "applications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "application_stage_changes" (
    "application_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "from_stage" TEXT,
    "to_stage" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "change_time" TIMESTAMPTZ(3) NOT NULL,
    "note" TEXT NOT NULL,

    CONSTRAINT "application_stage_changes_pkey" PRIMARY KEY ("application_id","seq")
);

-- CreateTable
CREATE TABLE "idempotency_records" (
    "tenant_id" TEXT NOT NULL,
    "request_id" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "result" JSONB NOT NULL,
    "create_time" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_records_pkey" PRIMARY KEY ("tenant_id","request_id")
);

-- CreateIndex
CREATE INDEX "job_openings_tenant_id_id_idx" ON "job_openings"("tenant_id", "id");

-- CreateIndex
CREATE INDEX "job_openings_tenant_id_status_id_idx" ON "job_openings"("tenant_id", "status", "id");

-- CreateIndex
CREATE INDEX "job_openings_tenant_id_department_id_id_idx" ON "job_openings"("tenant_id", "department_id", "id");

-- CreateIndex
CREATE INDEX "applications_tenant_id_id_idx" ON "applications"("tenant_id", "id");

-- CreateIndex
CREATE INDEX "applications_tenant_id_job_opening_id_id_idx" ON "applications"("tenant_id", "job_opening_id", "id");

-- CreateIndex
CREATE INDEX "applications_tenant_id_stage_id_idx" ON "applications"("tenant_id", "stage", "id");

-- CreateIndex
CREATE INDEX "idempotency_records_create_time_idx" ON "idempotency_records"("create_time");

-- AddForeignKey
ALTER TABLE "application_stage_changes" ADD CONSTRAINT "application_stage_changes_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;
