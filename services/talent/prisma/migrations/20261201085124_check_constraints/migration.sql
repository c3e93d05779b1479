-- Hand-written (created empty with `prisma migrate dev --create-only`): Prisma 6's
-- schema language has no CHECK constraints, so schema.prisma does not declare
-- these and `migrate dev` leaves them alone (it reads them, but does not diff them).
-- No semicolon in comments: @prisma/adapter-pg 6.19 runs a migration by
-- splitting it at every semicolon, comments included.
--
-- The database refuses what the domain already never writes, so a bug or a
-- hand-made UPDATE cannot store it either (SQLSTATE 23514). Each one mirrors a
-- rule of services/talent/*/<root>.ts. Change both together. MAX_HEADCOUNT is
-- a policy limit and stays in the code only.

-- requisition/job-opening.ts: JobOpeningStatus. checkHeadcount (at least 1).
-- Created at version 1, every command adds 1.
ALTER TABLE "job_openings"
    ADD CONSTRAINT "job_openings_status_check" CHECK ("status" IN ('draft', 'open', 'on_hold', 'closed', 'filled')),
    ADD CONSTRAINT "job_openings_headcount_check" CHECK ("headcount" >= 1),
    ADD CONSTRAINT "job_openings_version_check" CHECK ("version" >= 1);

-- candidacy/application.ts: ApplicationStage. Submitted at version 1, every move adds 1.
ALTER TABLE "applications"
    ADD CONSTRAINT "applications_stage_check" CHECK (
        "stage" IN ('applied', 'screening', 'interview', 'offer', 'hired', 'rejected', 'withdrawn')
    ),
    ADD CONSTRAINT "applications_version_check" CHECK ("version" >= 1);

-- The history: stages as above. Numbered from 1, and only the first entry
-- (the submission) has no from_stage.
ALTER TABLE "application_stage_changes"
    ADD CONSTRAINT "application_stage_changes_to_stage_check" CHECK (
        "to_stage" IN ('applied', 'screening', 'interview', 'offer', 'hired', 'rejected', 'withdrawn')
    ),
    ADD CONSTRAINT "application_stage_changes_from_stage_check" CHECK (
        "from_stage" IN ('applied', 'screening', 'interview', 'offer', 'hired', 'rejected', 'withdrawn')
    ),
    ADD CONSTRAINT "application_stage_changes_seq_check" CHECK ("seq" >= 1 AND ("seq" = 1) = ("from_stage" IS NULL));
