import { spawn } from "node:child_process";
import path from "node:path";
import { repoRoot } from "../repo-root.js";
import { pendingMigrations } from "./pending-migrations.js";

// Brings a data service's database up to date with its committed migrations
// (services/<service>/prisma/migrations). Most starts have nothing to apply:
// one SQL query says so (pending-migrations.ts) and the Prisma CLI, seconds of
// wasm engine in a child process, is skipped. Otherwise the CLI applies them
// through the offline wasm engine its prisma.config.ts selects. Concurrent
// callers are safe: Prisma holds a PostgreSQL advisory lock while it migrates.
// Paths come from the repository root, so this works from dist/ too (the CLI
// loads the TypeScript config itself).

// Prisma 6.19's wasm schema engine leaves its 10 s advisory-lock timeout timer
// pending after a successful run (its JS glue has setTimeout but no
// clearTimeout), so the CLI lingers 10 s before exiting. Success is the last
// thing it prints; on failure it exits at once with a non-zero code. So once a
// success line is out, the child has nothing left to do and is stopped.
const SUCCESS = /All migrations have been successfully applied|No pending migrations to apply/;

/** Applies the pending migrations of `service` to `databaseUrl`; throws with Prisma's output on failure. */
export async function migrateDatabase(service: string, databaseUrl: string): Promise<void> {
  const prismaDir = path.join(repoRoot, "services", service, "prisma");
  if ((await pendingMigrations(databaseUrl, path.join(prismaDir, "migrations"))).length === 0) return;
  await prismaMigrateDeploy(service, path.join(prismaDir, "prisma.config.ts"), databaseUrl);
}

async function prismaMigrateDeploy(service: string, config: string, databaseUrl: string): Promise<void> {
  const child = spawn(
    path.join(repoRoot, "node_modules", ".bin", "prisma"),
    ["migrate", "deploy", "--config", config],
    {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: "1", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  let succeeded = false;
  const collect = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    if (!succeeded && SUCCESS.test(output)) {
      succeeded = true;
      child.kill("SIGTERM");
    }
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  });
  if (succeeded || code === 0) return;
  throw new Error(`prisma migrate deploy of ${service} failed (${signal ?? `exit code ${code}`}):\n${output.trim()}`);
}
