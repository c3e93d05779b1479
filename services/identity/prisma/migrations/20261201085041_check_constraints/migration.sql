-- Hand-written (created empty with `prisma migrate dev --create-only`): Prisma 6's
-- schema language has no CHECK constraints, so schema.prisma does not declare
-- these and `migrate dev` leaves them alone (it reads them, but does not diff them).
-- No semicolon in comments: @prisma/adapter-pg 6.19 runs a migration by
-- splitting it at every semicolon, comments included.
--
-- The database refuses what the domain already never writes, so a bug or a
-- hand-made UPDATE cannot store it either (SQLSTATE 23514). Each one mirrors a
-- rule of services/identity/account/account.ts or roles.ts. Change both together.
--
-- Limits that are policy rather than invariant (LOCK_AFTER_FAILURES, the
-- number of role entries a request may hold) stay in the code only.
ALTER TABLE "accounts"
    -- AccountStatus.
    ADD CONSTRAINT "accounts_status_check" CHECK ("status" IN ('active', 'disabled', 'locked')),
    -- Starts at 0, goes up by one per failed verification, back to 0 on success,
    -- password change or enable.
    ADD CONSTRAINT "accounts_failed_verifications_check" CHECK ("failed_verifications" >= 0),
    -- Created at version 1, every command adds 1.
    ADD CONSTRAINT "accounts_version_check" CHECK ("version" >= 1),
    -- checkRoles: at least one role, each one of ROLES (a new role needs a
    -- migration too). "<@" is false for NULL elements. The column itself is
    -- nullable in the Prisma schema (a String[]), so NULL is refused here.
    ADD CONSTRAINT "accounts_roles_check" CHECK (
        "roles" IS NOT NULL
        AND cardinality("roles") >= 1
        AND "roles" <@ ARRAY['employee', 'manager', 'hr_admin', 'tenant_admin']::TEXT[]
    );
