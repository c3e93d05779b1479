-- CreateTable
CREATE TABLE "sessions" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "account_id" UUID NOT NULL,
    "current_token_hash" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "revoke_reason" TEXT,
    "rotation_count" INTEGER NOT NULL,
    "expire_time" TIMESTAMPTZ(3) NOT NULL,
    "create_time" TIMESTAMPTZ(3) NOT NULL,
    "update_time" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "used_refresh_tokens" (
    "tenant_id" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "session_id" UUID NOT NULL,
    "use_time" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "used_refresh_tokens_pkey" PRIMARY KEY ("tenant_id","token_hash")
);

-- CreateIndex
CREATE INDEX "sessions_expire_time_idx" ON "sessions"("expire_time");

-- CreateIndex
CREATE UNIQUE INDEX "sessions_tenant_id_current_token_hash_key" ON "sessions"("tenant_id", "current_token_hash");

-- CreateIndex
CREATE INDEX "used_refresh_tokens_session_id_idx" ON "used_refresh_tokens"("session_id");

-- AddForeignKey
ALTER TABLE "used_refresh_tokens" ADD CONSTRAINT "used_refresh_tokens_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
