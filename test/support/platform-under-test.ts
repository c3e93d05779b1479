import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { dropDatabase } from "../../runtime/db/databases.js";
import { waitUntilServing } from "../../runtime/launch/readiness.js";
import { repoRoot } from "../../runtime/repo-root.js";
import { testKeys } from "./callers.js";
import { freePortBelowEphemeral, freePortRow } from "./free-port.js";
import { groupRuns, LauncherProcess } from "./launcher-process.js";

// The whole platform as `npm start` runs it (compiled, the launcher starting
// every process), on ports free at this moment, with its own data folder and
// database names, so it runs beside a developer's instance and the other tests.

export const SERVICES = [
  "people",
  "identity",
  "talent",
  "timeoff",
  "inbox",
  "cases",
  "directory",
  "session",
  "self-service",
  "onboarding",
] as const;
export type Service = (typeof SERVICES)[number];
const DATA_SERVICES = ["people", "identity", "talent", "timeoff", "inbox", "cases"];
/** How far apart the ports of a process's replicas are (the launcher's REPLICA_PORT_STEP). */
const REPLICA_PORT_STEP = 7;
/** A first start initialises PostgreSQL and migrates six databases: generous on a loaded machine. */
export const START_TIMEOUT_MS = 90_000;

export interface PlatformUnderTest {
  launcher: LauncherProcess;
  /** Each process's port (its first replica's). */
  ports: Record<Service, number>;
  /** Each process's replicas' ports, the first one in `ports`. */
  replicaPorts: Record<Service, number[]>;
  gatewayPort: number;
  /** Each process's Prometheus metrics port (GET /metrics), the gateway's included. */
  metricsPorts: Record<Service | "gateway", number>;
  dataDir: string;
  /** The embedded PostgreSQL's pid, from its lock file; none when DATABASE_URL is set. */
  postgresPid(): Promise<number | undefined>;
  /** Waits until `condition` holds, failing with the launcher's last output. */
  until(what: string, condition: () => boolean, timeoutMs?: number): Promise<void>;
  /** Kills whatever is left (after a failure), drops the databases, removes the data folder. */
  cleanUp(): Promise<void>;
}

/**
 * Builds as `npm start` does, then starts the launcher and waits until it says
 * every process is up. `embedded` runs it on an embedded PostgreSQL of its own
 * even when DATABASE_URL is set (for a test that freezes PostgreSQL).
 * `replicas` of each process but the gateway (which stays one: its replicas
 * would need a load balancer in front), on ports REPLICA_PORT_STEP apart.
 */
export async function startPlatform(
  env: Record<string, string> = {},
  { embedded = false, replicas = 1 } = {},
): Promise<PlatformUnderTest> {
  const build = spawnSync(process.execPath, [path.join(repoRoot, "runtime/launch/build.mjs")], { encoding: "utf8" });
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
  const dataDir = await mkdtemp(path.join(tmpdir(), "hr-platform-"));
  // As root, the embedded PostgreSQL runs as `postgres`, which must enter this folder.
  await chmod(dataDir, 0o755);
  const prefix = `hr_platform_${randomUUID().replaceAll("-", "").slice(0, 12)}_`;
  const external = embedded ? undefined : process.env.DATABASE_URL;
  // Below the ephemeral range: the launcher binds them seconds later, while other test files run.
  const ports = {} as Record<Service, number>;
  const replicaPorts = {} as Record<Service, number[]>;
  for (const service of SERVICES) {
    replicaPorts[service] = await freePortRow(replicas, REPLICA_PORT_STEP);
    ports[service] = replicaPorts[service][0] as number;
  }
  const gatewayPort = await freePortBelowEphemeral();
  const metricsPorts = {} as Record<Service | "gateway", number>;
  for (const service of [...SERVICES, "gateway"] as const) metricsPorts[service] = await freePortBelowEphemeral();
  const launcher = new LauncherProcess({
    ...Object.fromEntries(
      SERVICES.map((service) => [`${service.toUpperCase().replace("-", "_")}_PORT`, String(ports[service])]),
    ),
    ...Object.fromEntries(
      Object.entries(metricsPorts).map(([name, port]) => [
        `${name.toUpperCase().replace("-", "_")}_METRICS_PORT`,
        String(port),
      ]),
    ),
    EMBEDDED_PG_PORT: String(await freePortBelowEphemeral()),
    GATEWAY_PORT: String(gatewayPort),
    DATA_DIR: dataDir,
    DATABASE_NAME_PREFIX: prefix,
    // The run's key pair, so the test's tokens are accepted (and no development key is written).
    AUTH_JWKS_FILE: testKeys.jwksFile,
    AUTH_SIGNING_KEY_FILE: testKeys.signingKeyFile,
    LOG_LEVEL: "warn",
    REPLICAS: String(replicas),
    REPLICA_PORT_STEP: String(REPLICA_PORT_STEP),
    GATEWAY_REPLICAS: "1",
    ...(embedded && { DATABASE_URL: "" }),
    ...env,
  });
  const until = async (what: string, condition: () => boolean, timeoutMs = START_TIMEOUT_MS) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`gave up waiting until ${what}; launcher output:\n${launcher.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const platform: PlatformUnderTest = {
    launcher,
    ports,
    replicaPorts,
    gatewayPort,
    metricsPorts,
    dataDir,
    async postgresPid() {
      if (external) return undefined;
      const lockFile = await readFile(path.join(dataDir, "postgres", "postmaster.pid"), "utf8");
      return Number(lockFile.split("\n")[0]);
    },
    until,
    async cleanUp() {
      if (launcher.process.exitCode === null && launcher.process.signalCode === null) {
        launcher.process.kill("SIGKILL");
        for (const pids of launcher.pids.values())
          for (const pid of pids) if (groupRuns(pid)) process.kill(-pid, "SIGKILL");
      }
      // The data services' databases, and the events database the launcher creates beside them.
      if (external) for (const name of [...DATA_SERVICES, "events"]) await dropDatabase(external, `${prefix}${name}`);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(
      SERVICES.flatMap((service) =>
        replicaPorts[service].map((port) =>
          waitUntilServing(port, launcher.process, START_TIMEOUT_MS).catch((error: Error) => {
            throw new Error(`${service} (${port}): ${error.message}; launcher output:\n${launcher.tail()}`);
          }),
        ),
      ),
    );
    // During start-up a child that exits is a failed start and stops everything: wait until it is over.
    await until("the launcher says every process is up", () => launcher.up);
  } catch (error) {
    await platform.cleanUp();
    throw error;
  }
  return platform;
}
