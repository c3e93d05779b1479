-- Hand-written (created empty with `prisma migrate dev --create-only`): Prisma 6's
-- schema language has no CHECK constraints, so schema.prisma does not declare
-- these and `migrate dev` leaves them alone (it reads them, but does not diff them).
-- No semicolon in comments: @prisma/adapter-pg 6.19 runs a migration by
-- splitting it at every semicolon, comments included.
--
-- The database refuses what the domain already never writes, so a bug or a
-- hand-made UPDATE cannot store it either (SQLSTATE 23514). Each one mirrors a
-- rule of services/people/*/<root>.ts. Change both together.

-- organization/department.ts: DepartmentStatus. Created at version 1, every command adds 1.
ALTER TABLE "departments"
    ADD CONSTRAINT "departments_status_check" CHECK ("status" IN ('active', 'archived')),
    ADD CONSTRAINT "departments_version_check" CHECK ("version" >= 1);

-- employee/employee.ts: EmployeeStatus. Hired at version 1, every command adds 1.
-- Only terminateEmployee sets a termination date, together with the status
-- "terminated", and refuses one before the hire date.
ALTER TABLE "employees"
    ADD CONSTRAINT "employees_status_check" CHECK ("status" IN ('pending', 'active', 'terminated')),
    ADD CONSTRAINT "employees_version_check" CHECK ("version" >= 1),
    ADD CONSTRAINT "employees_termination_check" CHECK (
        ("status" = 'terminated') = ("termination_date" IS NOT NULL)
        AND ("termination_date" IS NULL OR "termination_date" >= "hire_date")
    );
