import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, inject, it } from "vitest";
import { databaseUrl, dropDatabase, ensureDatabase } from "../../runtime/db/databases.js";
import { migrationNames, pendingMigrations } from "../../runtime/db/pending-migrations.js";
import { hasExited, stopChild } from "../../runtime/launch/children.js";
import { waitUntilServing } from "../../runtime/launch/readiness.js";
import { repoRoot } from "../../runtime/repo-root.js";
import { testKeys } from "../support/callers.js";
import { cloneServiceDatabase } from "../support/database-under-test.js";
import { freePortBelowEphemeral } from "../support/free-port.js";

// The container image's command (Dockerfile, runtime/launch/image-entry.ts),
// run from source as real processes: the process its argument names, and
// `migrate`, which the Kubernetes migration Job runs, against real databases.

const ENTRY = path.join(repoRoot, "runtime", "launch", "image-entry.ts");
const TSX = path.join(repoRoot, "node_modules", ".bin", "tsx");
const MIGRATIONS = (service: string) => path.join(repoRoot, "services", service, "prisma", "migrations");

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The entry point with `args`, in a process group of its own (stopChild signals the group). */
function startEntry(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(TSX, [ENTRY, ...args], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: "silent", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  cleanups.push(() => stopChild(child, 5_000));
  return child;
}

/** Runs the entry point to its end: its exit code and what it wrote (logs on stdout, usage on stderr). */
async function runEntry(args: string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  const child = startEntry(args, env);
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString("utf8");
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const code = await new Promise<number>((resolve) => {
    if (hasExited(child)) resolve(child.exitCode ?? 1);
    else child.once("exit", (exitCode) => resolve(exitCode ?? 1));
  });
  return { code, output };
}

async function emptyDatabase(): Promise<string> {
  const serverUrl = inject("postgresServerUrl");
  const name = `hr_test_image_${process.pid}_${Date.now().toString(36)}`;
  await ensureDatabase(serverUrl, name);
  cleanups.push(() => dropDatabase(serverUrl, name));
  return databaseUrl(serverUrl, name);
}

describe("the image's entry point", () => {
  it("runs the process its argument names: people, SERVING on its port", async () => {
    const db = await cloneServiceDatabase("people");
    cleanups.push(db.drop);
    const port = await freePortBelowEphemeral();
    const child = startEntry(["people"], {
      PEOPLE_PORT: String(port),
      PEOPLE_DATABASE_URL: db.url,
      AUTH_JWKS_FILE: testKeys.jwksFile,
    });
    await expect(waitUntilServing(port, child, 60_000)).resolves.toBeUndefined();
  });

  it("migrate <data service> applies every migration to an empty database, and nothing the second time", async () => {
    const url = await emptyDatabase();
    expect(await pendingMigrations(url, MIGRATIONS("timeoff"))).toEqual(await migrationNames(MIGRATIONS("timeoff")));
    expect(await runEntry(["migrate", "timeoff"], { TIMEOFF_DATABASE_URL: url })).toMatchObject({ code: 0 });
    expect(await pendingMigrations(url, MIGRATIONS("timeoff"))).toEqual([]);
    expect(await runEntry(["migrate", "timeoff"], { TIMEOFF_DATABASE_URL: url })).toMatchObject({ code: 0 });
  });

  it("migrate without a data service's database URL fails, naming the variable", async () => {
    const result = await runEntry(["migrate", "inbox"], {
      INBOX_DATABASE_URL: "",
      LOG_FORMAT: "json",
      LOG_LEVEL: "info",
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain("INBOX_DATABASE_URL");
  });

  it("refuses an argument that names no process, and a data service that does not exist", async () => {
    const none = await runEntry([]);
    expect(none.code).toBe(2);
    expect(none.output).toContain("usage: image-entry <people|");
    expect((await runEntry(["payroll"])).code).toBe(2);
    expect((await runEntry(["migrate", "payroll"])).code).toBe(2);
  });
});
