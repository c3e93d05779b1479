import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, inject, it } from "vitest";
import { databaseUrl, dropDatabase, ensureDatabase } from "../../runtime/db/databases.js";
import { migrateDatabase } from "../../runtime/db/migrate.js";
import { migrationNames, pendingMigrations } from "../../runtime/db/pending-migrations.js";
import { repoRoot } from "../../runtime/repo-root.js";
import { cloneServiceDatabase, type DatabaseUnderTest } from "../support/database-under-test.js";

// The "up to date?" check that lets a service start skip the Prisma CLI, on
// real databases: a migrated one, an empty one, and Prisma's bookkeeping
// table in the states `migrate deploy` would act on.

const MIGRATIONS = path.join(repoRoot, "services", "people", "prisma", "migrations");

const dropped: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const drop of dropped.splice(0)) await drop();
});

async function migrated(): Promise<DatabaseUnderTest> {
  const db = await cloneServiceDatabase("people");
  dropped.push(db.drop);
  return db;
}

async function empty(): Promise<string> {
  const serverUrl = inject("postgresServerUrl");
  const name = `hr_test_empty_${process.pid}_${Date.now().toString(36)}`;
  await ensureDatabase(serverUrl, name);
  dropped.push(() => dropDatabase(serverUrl, name));
  return databaseUrl(serverUrl, name);
}

async function sql(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(text).finally(() => client.end());
}

describe("pendingMigrations", () => {
  it("finds nothing pending on a migrated database", async () => {
    const db = await migrated();
    expect(await migrationNames(MIGRATIONS)).not.toHaveLength(0);
    expect(await pendingMigrations(db.url, MIGRATIONS)).toEqual([]);
  });

  it("finds every migration pending on a database Prisma never touched", async () => {
    expect(await pendingMigrations(await empty(), MIGRATIONS)).toEqual(await migrationNames(MIGRATIONS));
  });

  it("finds a rolled-back migration pending (deploy applies it again)", async () => {
    const db = await migrated();
    await sql(db.url, "UPDATE _prisma_migrations SET rolled_back_at = now()");
    expect(await pendingMigrations(db.url, MIGRATIONS)).toEqual(await migrationNames(MIGRATIONS));
  });

  it("finds a failed migration pending, so the CLI runs and reports it", async () => {
    const db = await migrated();
    await sql(db.url, "UPDATE _prisma_migrations SET finished_at = NULL");
    expect(await pendingMigrations(db.url, MIGRATIONS)).toEqual(await migrationNames(MIGRATIONS));
  });
});

describe("migrateDatabase", () => {
  it("applies the migrations with Prisma, after which nothing is pending", async () => {
    const url = await empty();
    await migrateDatabase("people", url);
    expect(await pendingMigrations(url, MIGRATIONS)).toEqual([]);
  }, 60_000);
});
