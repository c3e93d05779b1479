import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { openChannel } from "../../runtime/client/service-client.js";
import { dropDatabase } from "../../runtime/db/databases.js";
import { waitUntilServing } from "../../runtime/launch/readiness.js";
import { repoRoot } from "../../runtime/repo-root.js";
import { as, newTenant, testKeys } from "../support/callers.js";
import { freePortBelowEphemeral } from "../support/free-port.js";
import { groupRuns, LauncherProcess } from "../support/launcher-process.js";
import { testClient } from "../support/service-under-test.js";

// `npm start` under a kill -9: the launcher, compiled as `npm start` runs it,
// on ports free at this moment, its own data folder and database names (so it
// runs beside a developer's instance and the other tests). One data service is
// killed; the others keep answering, the launcher restarts it, and Ctrl-C
// (SIGINT) then stops every process it started, PostgreSQL included when it
// started an embedded one (DATABASE_URL unset).

const SERVICES = ["people", "identity", "talent", "timeoff", "directory", "session", "self-service"] as const;
const DATA_SERVICES = ["people", "identity", "talent", "timeoff"];
const KILLED = "timeoff";
/** A first start initialises PostgreSQL and migrates four databases: generous on a loaded machine. */
const START_TIMEOUT_MS = 90_000;

const external = process.env.DATABASE_URL;
const prefix = `hr_launcher_${randomUUID().replaceAll("-", "").slice(0, 12)}_`;
let dataDir: string;
const ports = {} as Record<(typeof SERVICES)[number], number>;
let launcher: LauncherProcess | undefined;
let channel: ReturnType<typeof openChannel> | undefined;

beforeAll(async () => {
  const build = spawnSync(process.execPath, [path.join(repoRoot, "runtime/launch/build.mjs")], { encoding: "utf8" });
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
  dataDir = await mkdtemp(path.join(tmpdir(), "hr-launcher-"));
  // As root, the embedded PostgreSQL runs as `postgres`, which must enter this folder.
  await chmod(dataDir, 0o755);
  // Below the ephemeral range: the launcher binds them seconds later, while other test files run.
  for (const service of SERVICES) ports[service] = await freePortBelowEphemeral();
}, 180_000);

afterAll(async () => {
  channel?.close();
  // Only after a failure is anything left: the launcher and every group it started.
  if (launcher && launcher.process.exitCode === null) {
    launcher.process.kill("SIGKILL");
    for (const pids of launcher.pids.values())
      for (const pid of pids) if (groupRuns(pid)) process.kill(-pid, "SIGKILL");
  }
  if (external) for (const service of DATA_SERVICES) await dropDatabase(external, `${prefix}${service}`);
  await rm(dataDir, { recursive: true, force: true });
});

/** The embedded PostgreSQL's pid, from its lock file; none when DATABASE_URL is set. */
async function postgresPid(): Promise<number | undefined> {
  if (external) return undefined;
  const lockFile = await readFile(path.join(dataDir, "postgres", "postmaster.pid"), "utf8");
  return Number(lockFile.split("\n")[0]);
}

async function until(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting until ${what}; launcher output:\n${launcher?.tail()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("the launcher (npm start)", () => {
  it("restarts a data service killed with SIGKILL while the others keep serving, and Ctrl-C stops everything", async () => {
    const started = new LauncherProcess({
      ...Object.fromEntries(
        SERVICES.map((service) => [`${service.toUpperCase().replace("-", "_")}_PORT`, String(ports[service])]),
      ),
      EMBEDDED_PG_PORT: String(await freePortBelowEphemeral()),
      GATEWAY_PORT: String(await freePortBelowEphemeral()),
      DATA_DIR: dataDir,
      DATABASE_NAME_PREFIX: prefix,
      // The run's key pair, so the test's tokens are accepted (and no development key is written).
      AUTH_JWKS_FILE: testKeys.jwksFile,
      AUTH_SIGNING_KEY_FILE: testKeys.signingKeyFile,
      LOG_LEVEL: "warn",
    });
    launcher = started;
    const serving = (service: (typeof SERVICES)[number]) =>
      waitUntilServing(ports[service], started.process, START_TIMEOUT_MS).catch((error: Error) => {
        throw new Error(`${service}: ${error.message}; launcher output:\n${started.tail()}`);
      });
    await Promise.all(SERVICES.map(serving));
    // During start-up a child that exits is a failed start and stops everything; kill only once it is over.
    await until("the launcher says every process is up", () => started.up, START_TIMEOUT_MS);
    const postgres = await postgresPid();

    const killed = started.pidOf(KILLED);
    if (killed === undefined) throw new Error(`no pid reported for ${KILLED}:\n${started.tail()}`);
    process.kill(killed, "SIGKILL");

    // While it is down and coming back, people answers every call.
    channel = openChannel(`127.0.0.1:${ports.people}`);
    const employees = testClient(EmployeeServiceDefinition, channel);
    const caller = await as(newTenant());
    let calls = 0;
    const restarted = () => started.pidOf(KILLED) !== killed;
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!restarted() || calls === 0) {
      if (Date.now() > deadline) throw new Error(`${KILLED} was not restarted; launcher output:\n${started.tail()}`);
      expect((await employees.listEmployees({ pageSize: 10 }, caller)).employees).toEqual([]);
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(groupRuns(killed)).toBe(false);
    await serving(KILLED);
    expect((await employees.listEmployees({ pageSize: 10 }, caller)).employees).toEqual([]);

    const everyGroup = [...started.pids.values()].flat();
    if (postgres !== undefined) everyGroup.push(postgres);
    started.process.kill("SIGINT");
    expect(await started.exited()).toBe(0);
    await until("every process the launcher started is gone", () => everyGroup.every((pid) => !groupRuns(pid)), 10_000);
  }, 180_000);
});
