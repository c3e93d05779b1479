import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { readInt } from "../config.js";
import { databaseUrl, ensureDatabase } from "../db/databases.js";
import { type PostgresServer, resolvePostgres } from "../db/postgres-server.js";
import { type BannerService, banner } from "./banner.js";
import { isListening, killChild, spawnChild, stopChild, waitForPort } from "./children.js";

// `npm start`: every process of the platform on one machine. PostgreSQL is the
// server in DATABASE_URL (its maintenance database) or else an embedded one
// with its data in .data/postgres; each data service gets its own database
// (and migrates it when it starts). Services start in table order (a
// service's dependencies first) and stop in reverse order.

interface LaunchedService extends BannerService {
  /** Entry point, relative to the repository root; run with tsx. */
  entry: string;
  env: Record<string, string>;
  /** Its own database: created if missing, its URL passed in `urlEnv`; the service migrates it on start. */
  database?: { name: string; urlEnv: string };
}

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const peoplePort = readInt(process.env, "PEOPLE_PORT", 50051);
const directoryPort = readInt(process.env, "DIRECTORY_PORT", 50052);
const identityPort = readInt(process.env, "IDENTITY_PORT", 50053);
const talentPort = readInt(process.env, "TALENT_PORT", 50054);
const timeoffPort = readInt(process.env, "TIMEOFF_PORT", 50055);

const services: LaunchedService[] = [
  {
    name: "people",
    entry: "services/people/main.ts",
    port: peoplePort,
    env: { PEOPLE_PORT: String(peoplePort) },
    database: { name: "hr_people", urlEnv: "PEOPLE_DATABASE_URL" },
    contexts: ["hr.organization.v1.DepartmentService", "hr.employee.v1.EmployeeService"],
    example: { method: "hr.employee.v1.EmployeeService/ListEmployees", body: { pageSize: 10 } },
  },
  {
    name: "identity",
    entry: "services/identity/main.ts",
    port: identityPort,
    env: { IDENTITY_PORT: String(identityPort) },
    database: { name: "hr_identity", urlEnv: "IDENTITY_DATABASE_URL" },
    contexts: ["hr.identity.v1.AccountService"],
  },
  {
    name: "talent",
    entry: "services/talent/main.ts",
    port: talentPort,
    env: { TALENT_PORT: String(talentPort) },
    database: { name: "hr_talent", urlEnv: "TALENT_DATABASE_URL" },
    contexts: ["hr.requisition.v1.JobOpeningService", "hr.candidacy.v1.ApplicationService"],
  },
  {
    name: "timeoff",
    entry: "services/timeoff/main.ts",
    port: timeoffPort,
    env: { TIMEOFF_PORT: String(timeoffPort) },
    database: { name: "hr_timeoff", urlEnv: "TIMEOFF_DATABASE_URL" },
    contexts: ["hr.timeoff.v1.LeaveAccountService"],
  },
  {
    name: "directory",
    entry: "apps/directory/main.ts",
    port: directoryPort,
    env: { DIRECTORY_PORT: String(directoryPort), DIRECTORY_PEOPLE_TARGET: `127.0.0.1:${peoplePort}` },
    contexts: ["hr.directory.v1.DirectoryService"],
  },
];

const STARTUP_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 15_000;
const say = (message: string) => process.stderr.write(`launch: ${message}\n`);

let postgres: PostgresServer | undefined;
const running: { name: string; child: ChildProcess }[] = [];
let stopping = false;

async function shutdown(exitCode: number, reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  say(reason);
  for (const { child } of [...running].reverse()) await stopChild(child, STOP_GRACE_MS);
  await postgres?.stop();
  process.exit(exitCode);
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    // A second Ctrl-C: do not wait for the drain.
    if (stopping) for (const { child } of running) killChild(child);
    else void shutdown(0, `${signal}: stopping`);
  });
}

async function launch(service: LaunchedService, server: PostgresServer): Promise<void> {
  const env = { ...service.env };
  if (service.database) {
    const { name, urlEnv } = service.database;
    await ensureDatabase(server.serverUrl, name);
    env[urlEnv] = databaseUrl(server.serverUrl, name);
  }
  if (!existsSync(`${repoRoot}${service.entry}`)) throw new Error("entry file not found");
  if (await isListening(service.port)) throw new Error(`port ${service.port} is already in use`);
  const child = spawnChild(repoRoot, service.entry, env);
  running.push({ name: service.name, child });
  let listening = false;
  child.once("exit", (code, signal) => {
    const how = `${signal ?? `code ${code}`}${listening ? "" : ` before listening on port ${service.port}`}`;
    if (!stopping) void shutdown(1, `${service.name} (${service.entry}) exited unexpectedly (${how}): stopping`);
  });
  await waitForPort(service.port, child, STARTUP_TIMEOUT_MS);
  listening = true;
}

try {
  const dataDir = `${repoRoot}.data/postgres`;
  postgres = await resolvePostgres({ dataDir, port: readInt(process.env, "EMBEDDED_PG_PORT", 54329) });
  const where = process.env.DATABASE_URL ? "DATABASE_URL" : `embedded, data in .data/postgres`;
  for (const service of services) {
    if (stopping) break;
    await launch(service, postgres).catch((error: Error) => {
      throw new Error(`${service.name} (${service.entry}): ${error.message}`);
    });
  }
  if (!stopping) process.stdout.write(`${banner(services, `${where}, ${new URL(postgres.serverUrl).host}`)}\n`);
} catch (error) {
  await shutdown(1, `failed to start: ${error instanceof Error ? error.message : String(error)}`);
}
