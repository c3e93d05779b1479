import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectCatalogSafe } from "../../runtime/db/catalog-safe-pool.js";
import { cloneServiceDatabase, type DatabaseUnderTest } from "../support/database-under-test.js";

// The Prisma schema engine (wasm, Prisma 6.19) reads the catalog through
// runtime/db/catalog-safe-pool.ts. Before it reported `"char"` columns as
// characters, describing a database with a CHECK constraint panicked
// ("RuntimeError: unreachable"), so `migrate dev` and `db pull` failed on every
// database migrated with the *_check_constraints migrations.

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
/** ColumnTypeEnum.Character of @prisma/driver-adapter-utils. */
const CHARACTER = 6;
const CHECKS_QUERY =
  "SELECT conname, contype, 'x'::text AS plain FROM pg_constraint WHERE contype = 'c' AND connamespace = 'public'::regnamespace ORDER BY conname";

let db: DatabaseUnderTest;
let checkConstraints: string[];
beforeAll(async () => {
  db = await cloneServiceDatabase("timeoff");
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ conname: string }>(CHECKS_QUERY);
    checkConstraints = rows.map((row) => row.conname);
  } finally {
    await client.end();
  }
});
afterAll(() => db?.drop());

/** Runs the Prisma CLI on the cloned database; resolves with its exit code and everything it printed. */
function prisma(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(`${repoRoot}node_modules/.bin/prisma`, args, {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: db.url, CHECKPOINT_DISABLE: "1", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("the schema engine on a database with CHECK constraints", () => {
  it("has some to read: the migrated timeoff database", () => {
    expect(checkConstraints).toContain("leave_accounts_balance_check");
  });

  it('gets pg_constraint.contype, a "char" column, as a character and names as text', async () => {
    const adapter = await connectCatalogSafe(db.url);
    try {
      const result = await adapter.queryRaw({ sql: CHECKS_QUERY, args: [], argTypes: [] });
      const [conname, contype, plain] = result.columnTypes;
      expect(contype).toBe(CHARACTER);
      expect(conname).toBe(plain);
      expect(result.rows).toEqual(checkConstraints.map((name) => [name, "c", "x"]));
    } finally {
      await adapter.dispose();
    }
  });

  it("lets `prisma db pull` describe the database, CHECK constraints included", { timeout: 90_000 }, async () => {
    // Read-only: --print writes no schema file. The wasm CLI lingers ~10 s after success (see runtime/db/migrate.ts).
    const { code, output } = await prisma([
      "db",
      "pull",
      "--print",
      "--config",
      "services/timeoff/prisma/prisma.config.ts",
    ]);
    expect(output).not.toContain("RuntimeError");
    expect(code, output).toBe(0);
    expect(output).toContain("model LeaveAccount {");
    // Prisma lists every CHECK constraint it read (and cannot represent) by name.
    for (const name of checkConstraints) expect(output).toContain(`constraint: "${name}"`);
  });
});
