-- CreateTable
CREATE TABLE "departments" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "parent_id" UUID,
    "head_employee_id" UUID,
    "status" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "create_time" TIMESTAMPTZ(3) NOT NULL,
    "update_time" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "departments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "employees" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "given_name" TEXT NOT NULL,
    "family_name" TEXT NOT NULL,
    "work_email" TEXT NOT NULL,
    "job_title" TEXT NOT NULL,
    "department_id" UUID NOT NULL,
    "manager_id" UUID,
    "hire_date" DATE NOT NULL,
    "status" TEXT NOT NULL,
    "termination_date" DATE,
    "version" INTEGER NOT NULL,
    "create_time" TIMESTAMPTZ(3) NOT NULL,
    "update_time" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "employees_pkey" PRIMARY KEY ("id")
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
CREATE INDEX "departments_tenant_id_id_idx" ON "departments"("tenant_id", "id");

-- CreateIndex
CREATE INDEX "departments_tenant_id_parent_id_id_idx" ON "departments"("tenant_id", "parent_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "departments_tenant_id_code_key" ON "departments"("tenant_id", "code");

-- CreateIndex
CREATE INDEX "employees_tenant_id_id_idx" ON "employees"("tenant_id", "id");

-- CreateIndex
CREATE INDEX "employees_tenant_id_department_id_id_idx" ON "employees"("tenant_id", "department_id", "id");

-- CreateIndex
CREATE INDEX "employees_tenant_id_manager_id_id_idx" ON "employees"("tenant_id", "manager_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "employees_tenant_id_work_email_key" ON "employees"("tenant_id", "work_email");

-- CreateIndex
CREATE INDEX "idempotency_records_create_time_idx" ON "idempotency_records"("create_time");
