-- Hand-written, see 20261201085041_check_constraints: the role "recruiter"
-- joins ROLES in services/identity/account/roles.ts, so the roles check
-- accepts it too. No semicolon in comments (the driver adapter splits at each).
ALTER TABLE "accounts" DROP CONSTRAINT "accounts_roles_check";
ALTER TABLE "accounts"
    ADD CONSTRAINT "accounts_roles_check" CHECK (
        "roles" IS NOT NULL
        AND cardinality("roles") >= 1
        AND "roles" <@ ARRAY['employee', 'manager', 'hr_admin', 'tenant_admin', 'recruiter']::TEXT[]
    );
