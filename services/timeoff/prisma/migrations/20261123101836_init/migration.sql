-- CreateTable
CREATE TABLE "leave_accounts" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "employee_id" UUID NOT NULL,
    "leave_type" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "entitlement_half_days" INTEGER NOT NULL,
    "accrued_half_days" INTEGER NOT NULL,
    "reserved_half_days" INTEGER NOT NULL,
    "approved_half_days" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "create_time" TIMESTAMPTZ(3) NOT NULL,
    "update_time" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "leave_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "leave_requests" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "account_id" UUID NOT NULL,
    "start_date" DATE NOT NULL,
    "end_date" DATE NOT NULL,
    "half_day" BOOLEAN NOT NULL,
    "amount_half_days" INTEGER NOT NULL,
    "note" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "create_time" TIMESTAMPTZ(3) NOT NULL,
    "update_time" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "leave_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "leave_movements" (
    "account_id" UUID NOT NULL,
    "sequence" INTEGER NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "amount_half_days" INTEGER NOT NULL,
    "leave_request_id" UUID,
    "reason" TEXT NOT NULL,
    "entitlement_half_days" INTEGER NOT NULL,
    "accrued_half_days" INTEGER NOT NULL,
    "reserved_half_days" INTEGER NOT NULL,
    "approved_half_days" INTEGER NOT NULL,
    "create_time" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "leave_movements_pkey" PRIMARY KEY ("account_id","sequence")
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
CREATE INDEX "leave_accounts_tenant_id_id_idx" ON "leave_accounts"("tenant_id", "id");

-- CreateIndex
CREATE INDEX "leave_accounts_tenant_id_year_id_idx" ON "leave_accounts"("tenant_id", "year", "id");

-- CreateIndex
CREATE UNIQUE INDEX "leave_accounts_tenant_id_employee_id_leave_type_year_key" ON "leave_accounts"("tenant_id", "employee_id", "leave_type", "year");

-- CreateIndex
CREATE INDEX "leave_requests_account_id_id_idx" ON "leave_requests"("account_id", "id");

-- CreateIndex
CREATE INDEX "idempotency_records_create_time_idx" ON "idempotency_records"("create_time");

-- AddForeignKey
ALTER TABLE "leave_requests" ADD CONSTRAINT "leave_requests_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "leave_accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "leave_movements" ADD CONSTRAINT "leave_movements_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "leave_accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

