-- Hand-written (created with `prisma migrate dev --create-only`): Prisma 6's
-- schema language cannot express a partial index, so schema.prisma does not
-- declare this one and `migrate dev` does not see it (Prisma 6.19 leaves
-- partial indexes out of its diff).
--
-- A candidate (by normalized email) has at most one active application per job
-- opening and tenant. Ended applications (hired, rejected, withdrawn) are not
-- in the index, so the candidate may apply again once the earlier one ended.
-- The database enforces it, so two concurrent submissions cannot both win: the
-- second insert waits for the first to commit, then fails with a unique
-- violation (mapped to ALREADY_EXISTS ACTIVE_APPLICATION_EXISTS).
CREATE UNIQUE INDEX "applications_one_active_per_candidate"
    ON "applications" ("tenant_id", "job_opening_id", "candidate_email")
    WHERE "stage" NOT IN ('hired', 'rejected', 'withdrawn');
