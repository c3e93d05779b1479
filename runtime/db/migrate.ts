import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

// Applies a data service's committed migrations (services/<service>/prisma/
// migrations) with the Prisma CLI in a child process, through the offline wasm
// engine its prisma.config.ts selects. Concurrent callers are safe: Prisma
// holds a PostgreSQL advisory lock while it migrates.

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

// Prisma 6.19's wasm schema engine leaves its 10 s advisory-lock timeout timer
// pending after a successful run (its JS glue has setTimeout but no
// clearTimeout), so the CLI lingers 10 s before exiting. Success is the last
// thing it prints; on failure it exits at once with a non-zero code. So once a
// success line is out, the child has nothing left to do and is stopped.
const SUCCESS = /All migrations have been successfully applied|No pending migrations to apply/;

/** Applies the pending migrations of `service` to `databaseUrl`; throws with Prisma's output on failure. */
export async function migrateDatabase(service: string, databaseUrl: string): Promise<void> {
  const args = ["migrate", "deploy", "--config", `services/${service}/prisma/prisma.config.ts`];
  const child = spawn(`${repoRoot}node_modules/.bin/prisma`, args, {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: "1", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
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
