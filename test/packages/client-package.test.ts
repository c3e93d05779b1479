import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../runtime/repo-root.js";
import { newTenant, tokenOf } from "../support/callers.js";
import { freePortBelowEphemeral } from "../support/free-port.js";
import { type PlatformUnderTest, startPlatform } from "../support/platform-under-test.js";

// packages/client as an application team gets it: packed with `npm pack` (its
// prepack compiles runtime/client/ and generated/proto/), installed from the
// tarball into a project of its own in a temporary folder (with TypeScript,
// @types/node and nice-grpc for the team's own server, from the registry or
// npm's cache; nothing of the workspace on its path). The team's program
// (test/packages/client-consumer/) must type-check strictly, a wrong call must
// not, and the program then calls the platform as `npm start` runs it.

const run = promisify(execFile);
const CONSUMER_SOURCES = path.join(repoRoot, "test/packages/client-consumer");
/** What the consumer installs beside the tarball: the versions the workspace locks, so npm's cache has them. */
const ALSO_INSTALLED = ["typescript", "@types/node", "nice-grpc"].map((name) => {
  const lock = JSON.parse(readFileSync(path.join(repoRoot, "package-lock.json"), "utf8")) as {
    packages: Record<string, { version: string }>;
  };
  return `${name}@${lock.packages[`node_modules/${name}`]?.version}`;
});

let scratch: string;
let consumer: string;
let platform: PlatformUnderTest | undefined;
/** The consumer's compiler on its program, and on the wrong calls. */
let compiled: { code: number; output: string };
let refused: { code: number; output: string };

async function installConsumer(): Promise<void> {
  const npm = (args: string[], cwd: string) => run("npm", args, { cwd, encoding: "utf8" });
  await npm(["pack", "--workspace", "packages/client", "--pack-destination", scratch, "--silent"], repoRoot);
  const tarball = readdirSync(scratch).find((file) => file.endsWith(".tgz"));
  if (tarball === undefined) throw new Error(`npm pack wrote no tarball in ${scratch}`);
  mkdirSync(consumer);
  writeFileSync(
    path.join(consumer, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  await npm(
    ["install", "--prefer-offline", "--no-audit", "--no-fund", path.join(scratch, tarball), ...ALSO_INSTALLED],
    consumer,
  );
  cpSync(CONSUMER_SOURCES, consumer, { recursive: true });
}

/** The consumer's own TypeScript compiler on one of its projects: its exit code and diagnostics. */
async function tsc(project: string): Promise<{ code: number; output: string }> {
  const compiler = path.join(consumer, "node_modules/typescript/bin/tsc");
  try {
    const { stdout } = await run(process.execPath, [compiler, "-p", project, "--pretty", "false"], { cwd: consumer });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, output: failed.stdout };
  }
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), "client-package-"));
  consumer = path.join(scratch, "consumer");
  // The platform starts while the package is packed, installed and compiled against.
  const consumerReady = async () => {
    await installConsumer();
    compiled = await tsc("tsconfig.json");
    refused = await tsc("tsconfig.wrong.json");
  };
  [platform] = await Promise.all([startPlatform(), consumerReady()]);
  // Packing compiles the package, and the consumer compiles twice against its
  // declarations (about a minute of CPU in all): on a loaded CI machine it has taken 5.
}, 600_000);

afterAll(async () => {
  await platform?.cleanUp();
  rmSync(scratch, { recursive: true, force: true });
});

describe("the client package, installed from its tarball", () => {
  it("holds only client code: the compiled runtime/client/, generated/proto/ and its entry", () => {
    const installed = path.join(consumer, "node_modules/@hr-platform/client");
    const folders = new Set(
      readdirSync(path.join(installed, "dist"), { recursive: true, encoding: "utf8" })
        .filter((file) => file.endsWith(".js"))
        .map((file) => file.split(path.sep).slice(0, 2).join("/")),
    );
    expect([...folders].sort()).toEqual(["generated/proto", "packages/client", "runtime/client"]);
    const manifest = JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8")) as {
      version: string;
      dependencies: Record<string, string>;
    };
    expect(Object.keys(manifest.dependencies)).not.toContain("zod");
    expect(readFileSync(path.join(installed, "CHANGELOG.md"), "utf8")).toContain(`## ${manifest.version}`);
  });

  it("type-checks a team's program strictly against its declarations", async () => {
    const { code, output } = compiled;
    expect(output).toBe("");
    expect(code).toBe(0);
  });

  it("refuses each wrong call a team could write, and nothing else", async () => {
    const { code, output } = refused;
    expect(code).not.toBe(0);
    const erring = new Set(
      [...output.matchAll(/^wrong-calls\.ts\((\d+),\d+\): error TS\d+/gm)].map((m) => Number(m[1])),
    );
    const marked = readFileSync(path.join(consumer, "wrong-calls.ts"), "utf8")
      .split("\n")
      .flatMap((line, index) => (line.includes("// wrong:") ? [index + 1] : []));
    expect(marked.length).toBe(6);
    expect(
      [...erring].sort((a, b) => a - b),
      output,
    ).toEqual(marked);
  });

  it("calls the running platform with the platform's call policy", async () => {
    if (platform === undefined) throw new Error("the platform did not start");
    expect(compiled.code).toBe(0);
    const token = await tokenOf(newTenant(), "hr-person", ["hr_admin"]);
    const { stdout } = await run(process.execPath, ["build/program.js"], {
      cwd: consumer,
      timeout: 60_000,
      env: {
        PATH: process.env.PATH,
        TOKEN: token,
        PEOPLE_TARGET: `127.0.0.1:${platform.ports.people}`,
        DEAD_TARGET: `127.0.0.1:${await freePortBelowEphemeral()}`,
      },
    });
    const result = JSON.parse(stdout);

    // Resolved from the consumer's own node_modules, not the workspace.
    expect(result.resolvedFrom).toBe(
      `file://${consumer}/node_modules/@hr-platform/client/dist/packages/client/src/index.js`,
    );
    expect(result.defaultPolicy).toEqual({
      defaultDeadlineMs: 12_000,
      maxDeadlineMs: 300_000,
      maxAttempts: 3,
      maxCallsInFlight: 100,
      throttle: { ratio: 1.2, windowSeconds: 10 },
    });

    // Created, hired once for one request_id, read back.
    expect(result.department.name).toBe("Engineering");
    expect(result.hired).toEqual({ id: expect.any(String), name: "Ada Lovelace", departmentId: result.department.id });
    expect(result.hiredAgainId).toBe(result.hired.id);
    expect(result.readBack).toMatchObject({ id: result.hired.id, matches: true });

    // Failures as a team reads them: the code, the ErrorInfo reason, the fields refused.
    expect(result.notFound).toEqual({
      failed: true,
      clientError: true,
      richClientError: true,
      code: "NOT_FOUND",
      reason: result.knownReason,
      errorInfoDomain: expect.any(String),
      badFields: [],
    });
    expect(result.knownReason).toBe("EMPLOYEE_NOT_FOUND");
    expect(result.invalid).toMatchObject({ code: "INVALID_ARGUMENT", badFields: ["work_email"] });
    expect(result.tooLate).toMatchObject({ failed: true, code: "DEADLINE_EXCEEDED" });

    // Retries: a NO_SIDE_EFFECTS method three attempts in all; a method without idempotency level once.
    expect(result.safe).toMatchObject({ code: "UNAVAILABLE", retries: ["UNAVAILABLE", "UNAVAILABLE"] });
    expect(result.unmarked).toMatchObject({ code: "UNAVAILABLE", retries: [] });

    // Through the team's own server: our token, request id and deadline went on to the platform.
    expect(result.viaTeam.id).toBe(result.hired.id);
    expect(result.viaTeam.forwarded).toEqual([
      { requestId: result.requestIds.viaTeam, deadlineMs: result.viaTeam.deadlineSentMs, bearer: true },
      { requestId: result.requestIds.notFound, deadlineMs: result.viaTeam.deadlineSentMs, bearer: true },
    ]);
    expect(result.viaTeam.missing).toMatchObject({ code: "NOT_FOUND" });

    // The request id names the calls in the platform's log: the direct one and the forwarded one.
    const logged = platform.launcher
      .tail(200)
      .split("\n")
      .filter((line) => line.includes(result.requestIds.notFound) && line.includes("NOT_FOUND"));
    expect(logged.length, platform.launcher.tail(200)).toBe(2);
  }, 90_000);
});
