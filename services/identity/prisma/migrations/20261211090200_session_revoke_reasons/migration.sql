-- Hand-written, see 20261201105036_session_store_check_constraints: a session
-- now also ends when its account's password is changed or reset, its roles
-- change or it is disabled (RevokeReason in services/identity/sessionstore/session.ts).
-- No semicolon in comments (the driver adapter splits at each).
ALTER TABLE "sessions" DROP CONSTRAINT "sessions_revoke_reason_check";
ALTER TABLE "sessions"
    ADD CONSTRAINT "sessions_revoke_reason_check" CHECK (
        ("state" = 'revoked') = ("revoke_reason" IS NOT NULL)
        AND ("revoke_reason" IS NULL OR "revoke_reason" IN (
            'logout', 'token_reused', 'password_changed', 'password_reset', 'roles_changed', 'account_disabled'
        ))
    );
-- Revoking every session of an account (revokeAllOfAccount) finds them by account.
CREATE INDEX "sessions_tenant_id_account_id_idx" ON "sessions"("tenant_id", "account_id");
