-- CreateTable
CREATE TABLE "accounts" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "login_name" TEXT NOT NULL,
    "employee_id" UUID,
    "display_name" TEXT NOT NULL,
    "roles" TEXT[],
    "status" TEXT NOT NULL,
    "failed_verifications" INTEGER NOT NULL,
    "password_hash" TEXT NOT NULL,
    "password_change_time" TIMESTAMPTZ(3) NOT NULL,
    "version" INTEGER NOT NULL,
    "create_time" TIMESTAMPTZ(3) NOT NULL,
    "update_time" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "accounts_pkey" PRIMARY KEY ("id")
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
CREATE INDEX "accounts_tenant_id_id_idx" ON "accounts"("tenant_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "accounts_tenant_id_login_name_key" ON "accounts"("tenant_id", "login_name");

-- CreateIndex
CREATE INDEX "idempotency_records_create_time_idx" ON "idempotency_records"("create_time");
