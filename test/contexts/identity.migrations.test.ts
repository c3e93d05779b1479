import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, inject, it } from "vitest";
import { databaseUrl, dropDatabase, ensureDatabase } from "../../runtime/db/databases.js";
import { repoRoot } from "../../runtime/repo-root.js";

// What the identity migrations of the sign-in fixes do to data already
// stored: accounts the old rule locked, and employees with two logins. Each
// test applies the committed migration files in order to an empty database,
// stores rows as the old schema held them, then applies the rest.
// Run alone: npx vitest run test/contexts/identity.migrations

const folder = path.join(repoRoot, "services", "identity", "prisma", "migrations");
const migrations = readdirSync(folder, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

let open: { client: pg.Client; drop: () => Promise<void> } | undefined;
afterEach(async () => {
  await open?.client.end();
  await open?.drop();
  open = undefined;
});

/** A new empty database with the migrations before `first` applied. */
async function databaseBefore(first: string): Promise<pg.Client> {
  const serverUrl = inject("postgresServerUrl");
  const name = `hr_test_identity_migrations_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await ensureDatabase(serverUrl, name);
  const client = new pg.Client({ connectionString: databaseUrl(serverUrl, name) });
  await client.connect();
  open = { client, drop: () => dropDatabase(serverUrl, name) };
  for (const migration of migrations.filter((m) => m < first)) await apply(client, migration);
  return client;
}

/** Applies one migration file, as one transaction of its statements. */
async function apply(client: pg.Client, migration: string): Promise<void> {
  await client.query(readFileSync(path.join(folder, migration, "migration.sql"), "utf8"));
}

const account = (id: string, employee: string, status: string, failures: number) =>
  `('0000000${id}-0000-4000-8000-000000000000', 't', '${id}@example.com', '${employee}', 'A', '{employee}',
    '${status}', ${failures}, 'scrypt$x', now(), 3, now() - interval '2 days', now() - interval '1 day')`;

describe("the sign-in throttle's migration", () => {
  it("returns accounts the old rule locked to active, keeping their failures, and moves their version on", async () => {
    const db = await databaseBefore("20261211090000_sign_in_throttle");
    const employee = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
    await db.query(`INSERT INTO accounts VALUES ${account("1", employee(1), "locked", 5)},
      ${account("2", employee(2), "active", 2)}, ${account("3", employee(3), "disabled", 0)}`);
    const before = await db.query("SELECT update_time FROM accounts WHERE status = 'locked'");
    await apply(db, "20261211090000_sign_in_throttle");
    const { rows } = await db.query(
      "SELECT login_name, status, failed_verifications, version, last_failure_time FROM accounts ORDER BY login_name",
    );
    expect(rows).toEqual([
      {
        login_name: "1@example.com",
        status: "active",
        failed_verifications: 5,
        version: 4,
        last_failure_time: before.rows[0].update_time,
      },
      { login_name: "2@example.com", status: "active", failed_verifications: 2, version: 3, last_failure_time: null },
      { login_name: "3@example.com", status: "disabled", failed_verifications: 0, version: 3, last_failure_time: null },
    ]);
  });
});

describe("the one-login-per-employee migration", () => {
  it("stops with PostgreSQL's message naming the duplicated employee, and applies nothing", async () => {
    const db = await databaseBefore("20261211090100_one_login_per_employee");
    const ada = "00000000-0000-4000-8000-0000000000e1";
    await db.query(`INSERT INTO accounts VALUES ${account("1", ada, "active", 0)}, ${account("2", ada, "active", 0)}`);
    await expect(apply(db, "20261211090100_one_login_per_employee")).rejects.toMatchObject({
      message: 'could not create unique index "accounts_tenant_id_employee_id_key"',
      detail: `Key (tenant_id, employee_id)=(t, ${ada}) is duplicated.`,
    });
    const { rows } = await db.query("SELECT 1 FROM pg_indexes WHERE indexname = 'accounts_tenant_id_employee_id_key'");
    expect(rows).toEqual([]);
  });
});
