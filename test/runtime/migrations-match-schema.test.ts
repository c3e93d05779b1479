import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { repoRoot } from "../../runtime/repo-root.js";

// Each data service's migrations, applied in order to an empty database, build
// exactly what its schema.prisma declares: Prisma's own diff, on a shadow
// database of the test run's server. A model changed without its migration,
// or a hand-written one (npm run new:context writes them from a template)
// that drifted from its model, fails here instead of surprising the next
// `prisma migrate dev`. CHECK constraints and partial indexes are not in
// Prisma 6's schema language, so the diff does not see them.

const SERVICES = readdirSync(path.join(repoRoot, "services")).filter((name) =>
  existsSync(path.join(repoRoot, "services", name, "prisma", "migrations")),
);

/** `prisma migrate diff` from the service's migrations to `schema`: exit code 0 when empty, 2 when not. */
function diff(service: string, schema: string): Promise<{ code: number; out: string }> {
  const prisma = path.join(repoRoot, "services", service, "prisma");
  const args = ["migrate", "diff", "--config", path.join(prisma, "prisma.config.ts")];
  args.push("--from-migrations", path.join(prisma, "migrations"), "--to-schema-datamodel", schema, "--exit-code");
  const env = { ...process.env, DATABASE_URL: inject("postgresServerUrl"), CHECKPOINT_DISABLE: "1", NO_COLOR: "1" };
  return new Promise((resolve) => {
    execFile(path.join(repoRoot, "node_modules/.bin/prisma"), args, { cwd: repoRoot, env }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

describe("migrations and schema.prisma", () => {
  it.each(SERVICES)(
    "%s: the migrations create what the schema declares",
    async (service) => {
      const { code, out } = await diff(service, path.join(repoRoot, "services", service, "prisma", "schema.prisma"));
      expect({ code, out }).toMatchObject({ code: 0, out: expect.stringContaining("No difference detected") });
    },
    60_000,
  );

  it("finds a model that changed without its migration, so the check cannot pass vacuously", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "schema-drift-"));
    try {
      const schema = await readFile(path.join(repoRoot, "services/talent/prisma/schema.prisma"), "utf8");
      const drifted = schema.replace(/^model JobOpening \{\n/m, '$&  reference String @default("")\n');
      expect(drifted).not.toBe(schema);
      await writeFile(path.join(dir, "schema.prisma"), drifted);
      const { code, out } = await diff("talent", path.join(dir, "schema.prisma"));
      expect({ code, out }).toMatchObject({ code: 2, out: expect.stringContaining("job_openings") });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
