-- An employee's department is a department of the employee's own tenant: a
-- composite foreign key (tenant_id, department_id) to departments (tenant_id,
-- id). HireEmployee and TransferEmployee already refuse a department the
-- tenant does not have (and an archived one) under a FOR SHARE lock, and the key
-- makes a placement outside the tenant impossible for any writer.
-- No semicolon in comments: @prisma/adapter-pg 6.19 runs a migration by
-- splitting it at every semicolon, comments included.

-- The key needs a unique (tenant_id, id) on departments. It replaces the plain
-- index on the same columns.
DROP INDEX "departments_tenant_id_id_idx";
CREATE UNIQUE INDEX "departments_tenant_id_id_key" ON "departments"("tenant_id", "id");

-- Rows that break the key (written before hires were checked) are kept, not
-- deleted: each department id an employee names that its tenant does not
-- have becomes an ARCHIVED department named "Missing department (restored by
-- a migration)" with code MISSING-<12 hex digits of its id>, which HR can
-- find (ListDepartments with include_archived) and move the people out of.
-- It keeps the named id, so the employees are left untouched, unless another
-- tenant's department already has that id: then it gets a new id and those
-- employees are moved to it (version + 1, so their old etag is stale).
WITH "orphans" AS (
    SELECT DISTINCT e."tenant_id", e."department_id"
    FROM "employees" e
    WHERE NOT EXISTS (
        SELECT 1 FROM "departments" d WHERE d."tenant_id" = e."tenant_id" AND d."id" = e."department_id"
    )
), "placeholders" AS MATERIALIZED (
    SELECT o."tenant_id", o."department_id" AS "old_id",
        CASE WHEN EXISTS (SELECT 1 FROM "departments" d WHERE d."id" = o."department_id")
            THEN gen_random_uuid() ELSE o."department_id" END AS "new_id"
    FROM "orphans" o
), "restored" AS (
    INSERT INTO "departments" (
        "id", "tenant_id", "name", "code", "parent_id", "head_employee_id",
        "status", "version", "create_time", "update_time"
    )
    SELECT p."new_id", p."tenant_id", 'Missing department (restored by a migration)',
        'MISSING-' || upper(substr(replace(p."new_id"::text, '-', ''), 1, 12)), NULL, NULL,
        'archived', 1, now(), now()
    FROM "placeholders" p
    RETURNING "id"
)
UPDATE "employees" e
SET "department_id" = p."new_id", "version" = e."version" + 1, "update_time" = now()
FROM "placeholders" p
WHERE e."tenant_id" = p."tenant_id" AND e."department_id" = p."old_id" AND p."new_id" <> p."old_id";

ALTER TABLE "employees" ADD CONSTRAINT "employees_tenant_id_department_id_fkey" FOREIGN KEY ("tenant_id", "department_id") REFERENCES "departments"("tenant_id", "id") ON DELETE RESTRICT ON UPDATE RESTRICT;
