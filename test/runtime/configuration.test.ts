import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { configurationRows, renderDoc, renderKnown } from "../../runtime/codegen/configuration.js";
import { unknownVariables } from "../../runtime/config.js";
import { repoRoot } from "../../runtime/repo-root.js";
import { readRuntimeConfig } from "../../runtime/server/runtime-config.js";
import { testKeys } from "../support/callers.js";

const TSX = path.join(repoRoot, "node_modules", ".bin", "tsx");

/** A process started from its main as `npm run dev` starts it, with only the given environment. */
function startMain(entry: string, env: Record<string, string>): ChildProcess & { output: () => string } {
  const child = spawn(TSX, [path.join(repoRoot, entry)], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", AUTH_JWKS_FILE: testKeys.jwksFile, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  return Object.assign(child, { output: () => output });
}

/** The exit code of a process that is expected to stop on its own. */
function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** Waits until the process has printed `text`; fails with its output if it exits first. */
function printed(child: ChildProcess & { output: () => string }, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!child.output().includes(text)) return;
      clearInterval(timer);
      resolve();
    };
    const timer = setInterval(check, 50);
    child.once("exit", (code) => {
      clearInterval(timer);
      if (child.output().includes(text)) resolve();
      else reject(new Error(`exited ${code} without printing ${text}: ${child.output()}`));
    });
  });
}

describe("configuration", () => {
  it("stops a data service whose pool size is not a number, naming the variable, before touching any database", async () => {
    const people = startMain("services/people/main.ts", {
      PEOPLE_DATABASE_URL: "postgresql://nobody@127.0.0.1:1/none",
      PEOPLE_DATABASE_POOL_SIZE: "lots",
    });
    expect(await exitOf(people)).toBe(1);
    expect(people.output()).toContain('PEOPLE_DATABASE_POOL_SIZE must be an integer of at least 1, got "lots"');
  }, 30_000);

  it("stops a process started with LOG_LEVEL=loud, naming LOG_LEVEL", async () => {
    const directory = startMain("apps/directory/main.ts", { DIRECTORY_PORT: "0", LOG_LEVEL: "loud" });
    expect(await exitOf(directory)).toBe(1);
    expect(directory.output()).toMatch(/LOG_LEVEL must be one of trace, .*silent, got "loud"/);
  }, 30_000);

  it("reports a misspelt platform variable at start and runs on", async () => {
    const directory = startMain("apps/directory/main.ts", {
      DIRECTORY_PORT: "0",
      GATEWAY_DEADLNE_MS: "3000",
      GATEWAY_DEADLINE_MS: "3000",
      UNRELATED_SETTING: "1",
    });
    try {
      await printed(directory, "unknown configuration variables");
      const warning = directory
        .output()
        .split("\n")
        .find((line) => line.includes("unknown configuration variables"));
      // Only the misspelt one: another process's variable and a foreign one are not reported.
      expect(JSON.parse(warning ?? "{}")).toMatchObject({ level: 40, variables: ["GATEWAY_DEADLNE_MS"] });
      await printed(directory, '"serving"');
    } finally {
      directory.kill("SIGTERM");
      await exitOf(directory);
    }
  }, 30_000);

  it("names the variable of a malformed value in every slice, and knows a misspelt one from a declared one", () => {
    const keys = { AUTH_JWKS_FILE: testKeys.jwksFile };
    expect(() => readRuntimeConfig({ ...keys, ADMISSION_QUEUE_SIZE: "-1" })).toThrow(
      'ADMISSION_QUEUE_SIZE must be a non-negative integer, got "-1"',
    );
    expect(() => readRuntimeConfig({ ...keys, CLIENT_THROTTLE_RATIO: "fast" })).toThrow(/CLIENT_THROTTLE_RATIO/);
    expect(readRuntimeConfig({ ...keys, ADMISSION_QUEUE_SIZE: "" }).admission.queueSize).toBe(128);
    const known = new Set(["PEOPLE_PORT"]);
    expect(unknownVariables({ PEOPLE_PORT: "1", PEOPLE_PROT: "2", PATH: "/bin" }, known)).toEqual(["PEOPLE_PROT"]);
  });

  it("keeps docs/configuration.md and the known names as the slices generate them (npm run generate)", async () => {
    const rows = await configurationRows();
    expect(rows.map((row) => row.name)).toEqual(expect.arrayContaining(["LOG_LEVEL", "GATEWAY_DEADLINE_MS"]));
    expect(new Set(rows.map((row) => row.name)).size).toBe(rows.length);
    expect(readFileSync(path.join(repoRoot, "docs/configuration.md"), "utf8")).toBe(renderDoc(rows));
    expect(readFileSync(path.join(repoRoot, "generated/config-variables.ts"), "utf8")).toBe(renderKnown(rows));
  });
});
