-- Hand-written (created empty with `prisma migrate dev --create-only`): Prisma 6's
-- schema language has no CHECK constraints, so schema.prisma does not declare
-- these and `migrate dev` leaves them alone (it reads them, but does not diff them).
-- No semicolon in comments: @prisma/adapter-pg 6.19 runs a migration by
-- splitting it at every semicolon, comments included.
--
-- The database refuses what the domain already never writes, so a bug or a
-- hand-made UPDATE cannot store it either (SQLSTATE 23514). Each one mirrors a
-- rule of services/identity/sessionstore/session.ts. Change both together.
ALTER TABLE "sessions"
    -- SessionState.
    ADD CONSTRAINT "sessions_state_check" CHECK ("state" IN ('active', 'revoked')),
    -- A reason exactly when revoked, one of RevokeReason (written so that a
    -- NULL reason makes the check false, not unknown).
    ADD CONSTRAINT "sessions_revoke_reason_check" CHECK (
        ("state" = 'revoked') = ("revoke_reason" IS NOT NULL)
        AND ("revoke_reason" IS NULL OR "revoke_reason" IN ('logout', 'token_reused'))
    ),
    -- Only a hash is ever stored: 64 lower-case hex digits (SHA-256), never a token.
    ADD CONSTRAINT "sessions_current_token_hash_check" CHECK ("current_token_hash" ~ '^[0-9a-f]{64}$'),
    ADD CONSTRAINT "sessions_rotation_count_check" CHECK ("rotation_count" >= 0),
    ADD CONSTRAINT "sessions_expire_time_check" CHECK ("expire_time" > "create_time"),
    ADD CONSTRAINT "sessions_update_time_check" CHECK ("update_time" >= "create_time");

ALTER TABLE "used_refresh_tokens"
    ADD CONSTRAINT "used_refresh_tokens_token_hash_check" CHECK ("token_hash" ~ '^[0-9a-f]{64}$');
