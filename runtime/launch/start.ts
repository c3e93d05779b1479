import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { ensureDevelopmentKeys } from "../auth/development-keys.js";
import { databaseUrl, ensureDatabase } from "../db/databases.js";
import { type PostgresServer, resolvePostgres } from "../db/postgres-server.js";
import { GATEWAY_CONTRACTS, type ProcessName, portOf } from "../platform.js";
import { repoRoot } from "../repo-root.js";
import { banner } from "./banner.js";
import { killChild, spawnChild, stopChild } from "./children.js";
import { readLaunchConfig } from "./launch-config.js";
import { isListening, waitUntilReady, waitUntilServing } from "./readiness.js";
import { type LaunchedService, replicaTarget, replicated } from "./replicas.js";
import { RestartBackoff } from "./restart-backoff.js";

// `npm start` (compiled, from dist/) and `npm run dev` (from source, tsx):
// every process of the platform on one machine. PostgreSQL is the server in
// DATABASE_URL (its maintenance database) or else an embedded one with its
// data in DATA_DIR/postgres (.data/postgres); each data service gets its own
// database, named with DATABASE_NAME_PREFIX (hr_people, ...), and migrates it
// when it starts; one more, <prefix>events, holds the events (EVENTS_DATABASE_URL). Ports, data folder and database names are all overridable,
// so a second instance (a test, another checkout) can run beside the first.
// `REPLICAS=2` (or `<NAME>_REPLICAS`) runs each process as several replicas,
// each on its own port, clients given every address (replicas.ts).
// Every process is restarted when it exits on its own. All start at once:
// data services never call each other, and apps connect to them lazily, on
// their first call.
// The gateway stops first, then the apps (they may still be calling data
// services), then the rest.

/** Key files passed to the processes: the JWKS to every one, the private key to the signer only. */
interface KeyEnv {
  verify: Record<string, string>;
  sign: Record<string, string>;
}

/**
 * Keys configured in the environment are passed on as they are (children
 * inherit it); otherwise the development key pair under .data/keys/, created
 * on the first start.
 */
async function keyEnv(): Promise<KeyEnv> {
  const { AUTH_JWKS_FILE, AUTH_JWKS_URL, AUTH_SIGNING_KEY_FILE } = process.env;
  if (AUTH_SIGNING_KEY_FILE && (AUTH_JWKS_FILE || AUTH_JWKS_URL)) return { verify: {}, sign: {} };
  const keys = await ensureDevelopmentKeys();
  return { verify: { AUTH_JWKS_FILE: keys.jwksFile }, sign: { AUTH_SIGNING_KEY_FILE: keys.signingKeyFile } };
}

const startedAt = performance.now();
const launchConfig = readLaunchConfig();
const dataDir = path.resolve(repoRoot, launchConfig.DATA_DIR);
const databasePrefix = launchConfig.DATABASE_NAME_PREFIX;
const peoplePort = portOf("people");
const directoryPort = portOf("directory");
const identityPort = portOf("identity");
const talentPort = portOf("talent");
const timeoffPort = portOf("timeoff");
const inboxPort = portOf("inbox");
const sessionPort = portOf("session");
const selfServicePort = portOf("self-service");
const casesPort = portOf("cases");
const onboardingPort = portOf("onboarding");
const gatewayPort = portOf("gateway");
const targetOf = (name: ProcessName) => replicaTarget(name, launchConfig);

// Each as its replicas (REPLICAS, <NAME>_REPLICAS): the ports after the first, and the names, in replicas.ts.
const services = replicated(launchConfig, [
  {
    name: "people",
    kind: "data",
    entry: "services/people/main",
    port: peoplePort,
    env: { PEOPLE_PORT: String(peoplePort) },
    database: { name: `${databasePrefix}people`, urlEnv: "PEOPLE_DATABASE_URL" },
    contexts: ["hr.organization.v1.DepartmentService", "hr.employee.v1.EmployeeService"],
    example: { method: "hr.employee.v1.EmployeeService/ListEmployees", body: { pageSize: 10 } },
  },
  {
    name: "identity",
    kind: "data",
    entry: "services/identity/main",
    port: identityPort,
    env: { IDENTITY_PORT: String(identityPort) },
    database: { name: `${databasePrefix}identity`, urlEnv: "IDENTITY_DATABASE_URL" },
    contexts: ["hr.identity.v1.AccountService", "hr.sessionstore.v1.SessionService"],
  },
  {
    name: "talent",
    kind: "data",
    entry: "services/talent/main",
    port: talentPort,
    env: { TALENT_PORT: String(talentPort) },
    database: { name: `${databasePrefix}talent`, urlEnv: "TALENT_DATABASE_URL" },
    contexts: ["hr.requisition.v1.JobOpeningService", "hr.candidacy.v1.ApplicationService"],
  },
  {
    name: "timeoff",
    kind: "data",
    entry: "services/timeoff/main",
    port: timeoffPort,
    env: { TIMEOFF_PORT: String(timeoffPort) },
    database: { name: `${databasePrefix}timeoff`, urlEnv: "TIMEOFF_DATABASE_URL" },
    contexts: ["hr.timeoff.v1.LeaveAccountService"],
  },
  {
    name: "inbox",
    kind: "data",
    entry: "services/inbox/main",
    port: inboxPort,
    env: { INBOX_PORT: String(inboxPort) },
    database: { name: `${databasePrefix}inbox`, urlEnv: "INBOX_DATABASE_URL" },
    contexts: ["hr.notification.v1.NotificationService"],
  },
  {
    name: "cases",
    kind: "data",
    entry: "services/cases/main",
    port: casesPort,
    env: { CASES_PORT: String(casesPort) },
    database: { name: `${databasePrefix}cases`, urlEnv: "CASES_DATABASE_URL" },
    contexts: ["hr.onboardingcase.v1.OnboardingCaseService"],
  },
  {
    name: "directory",
    kind: "app",
    entry: "apps/directory/main",
    port: directoryPort,
    env: { DIRECTORY_PORT: String(directoryPort), DIRECTORY_PEOPLE_TARGET: targetOf("people") },
    contexts: ["hr.directory.v1.DirectoryService", "hr.directory.v2.DirectoryService"],
  },
  {
    name: "session",
    kind: "app",
    entry: "apps/session/main",
    port: sessionPort,
    env: { SESSION_PORT: String(sessionPort), SESSION_IDENTITY_TARGET: targetOf("identity") },
    contexts: ["hr.session.v1.SessionService"],
    signsTokens: true,
  },
  {
    name: "self-service",
    kind: "app",
    entry: "apps/self-service/main",
    port: selfServicePort,
    env: {
      SELF_SERVICE_PORT: String(selfServicePort),
      SELF_SERVICE_PEOPLE_TARGET: targetOf("people"),
      SELF_SERVICE_TIMEOFF_TARGET: targetOf("timeoff"),
      SELF_SERVICE_INBOX_TARGET: targetOf("inbox"),
    },
    contexts: ["hr.selfservice.v1.SelfService"],
  },
  {
    name: "onboarding",
    kind: "app",
    entry: "apps/onboarding/main",
    port: onboardingPort,
    env: {
      ONBOARDING_PORT: String(onboardingPort),
      ONBOARDING_PEOPLE_TARGET: targetOf("people"),
      ONBOARDING_IDENTITY_TARGET: targetOf("identity"),
      ONBOARDING_TIMEOFF_TARGET: targetOf("timeoff"),
      ONBOARDING_TALENT_TARGET: targetOf("talent"),
      ONBOARDING_CASES_TARGET: targetOf("cases"),
      ONBOARDING_INBOX_TARGET: targetOf("inbox"),
    },
    contexts: ["hr.onboarding.v1.OnboardingService"],
    // Signs its own short-lived workflow_service tokens for the steps it runs with no one signed in.
    signsTokens: true,
  },
  {
    name: "gateway",
    kind: "edge",
    entry: "apps/gateway/main",
    port: gatewayPort,
    env: {
      GATEWAY_PORT: String(gatewayPort),
      // Where each application contract is served: configuration, not gateway code.
      GATEWAY_UPSTREAMS: GATEWAY_CONTRACTS.map(
        ({ protoPackage, process: name }) => `${protoPackage}=${targetOf(name)}`,
      ).join(","),
    },
    contexts: ["HTTP/JSON (Connect protocol) to the application services"],
  },
]);

// A first start also creates and migrates every database (the Prisma CLI, a
// few seconds each, side by side on a small machine).
const STARTUP_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 15_000;
const say = (message: string) => process.stderr.write(`launch: ${message}\n`);

let postgres: PostgresServer | undefined;
const running: { service: LaunchedService; child: ChildProcess }[] = [];
let stopping = false;

async function shutdown(exitCode: number, reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  say(reason);
  for (const kind of ["edge", "app", "data"] as const) {
    const tier = running.filter(({ service }) => service.kind === kind);
    await Promise.all(tier.map(({ child }) => stopChild(child, STOP_GRACE_MS)));
  }
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

// A launcher error must not leave PostgreSQL and the children behind.
process.on("uncaughtException", (error) => void shutdown(1, `launcher failed: ${error.stack ?? error.message}`));

/**
 * Starts a service and supervises it: once it has served, an exit the
 * launcher did not ask for (a crash, a kill -9, a clean stop from outside)
 * restarts it with backoff while the others keep running. A service that
 * cannot start at all fails the whole start.
 */
async function launch(
  service: LaunchedService,
  server: PostgresServer,
  keys: KeyEnv,
  events: Record<string, string>,
): Promise<void> {
  // Data services publish events and apps may consume them: both get the events database.
  const eventsEnv = service.kind === "edge" ? {} : events;
  const env = { ...keys.verify, ...(service.signsTokens ? keys.sign : {}), ...eventsEnv, ...service.env };
  if (service.database) {
    const { name, urlEnv } = service.database;
    await ensureDatabase(server.serverUrl, name);
    env[urlEnv] = databaseUrl(server.serverUrl, name);
  }
  const backoff = new RestartBackoff();
  let served = false;
  const run = (): ChildProcess | undefined => {
    if (stopping) return undefined;
    const child = spawnChild(service.entry, env);
    // The pid, for an operator (or a test) who wants to stop or kill one service.
    say(`${service.name} started (pid ${child.pid})`);
    const entry = { service, child };
    running.push(entry);
    const startedAt = Date.now();
    child.once("exit", (code, signal) => {
      running.splice(running.indexOf(entry), 1);
      if (stopping || !served) return;
      const delay = backoff.next(Date.now() - startedAt);
      say(`${service.name} exited (${signal ?? `code ${code}`}); restarting in ${delay / 1000} s`);
      setTimeout(() => {
        try {
          run();
        } catch (error) {
          say(`${service.name} could not be restarted: ${error instanceof Error ? error.message : String(error)}`);
        }
      }, delay).unref();
    });
    return child;
  };
  const child = run();
  if (child === undefined) return;
  if (service.kind === "edge") await waitUntilReady(service.port, child, STARTUP_TIMEOUT_MS);
  else await waitUntilServing(service.port, child, STARTUP_TIMEOUT_MS);
  served = true;
}

try {
  // Replicas' ports are spread by REPLICA_PORT_STEP from each process's own: two may meet.
  const twice = services.filter((service, i) => services.findIndex((other) => other.port === service.port) !== i);
  if (twice.length > 0) throw new Error(`ports given twice: ${twice.map((s) => `${s.name} (${s.port})`).join(", ")}`);
  // Checked before anything starts, so a second `npm start` fails at once and leaves the first alone.
  const ports = services.flatMap((service) => [
    { name: service.name, port: service.port },
    ...(service.metricsPort > 0 ? [{ name: `${service.name} metrics`, port: service.metricsPort }] : []),
  ]);
  const taken = await Promise.all(ports.map(({ port }) => isListening(port)));
  const busy = ports.filter((_, i) => taken[i]).map(({ name, port }) => `${name} (${port})`);
  if (busy.length > 0) throw new Error(`ports already in use: ${busy.join(", ")}`);
  const postgresDir = path.join(dataDir, "postgres");
  // Below Linux's ephemeral range (32768–60999): a port in it can be taken by
  // a client socket while PostgreSQL restarts, and PostgreSQL then cannot come back.
  const pg = await resolvePostgres({ dataDir: postgresDir, port: launchConfig.EMBEDDED_PG_PORT });
  postgres = pg;
  const keys = await keyEnv();
  const where = process.env.DATABASE_URL ? "DATABASE_URL" : `embedded, data in ${postgresDir}`;
  // The events database: the default bus, consumer cursors and parked events (runtime/events).
  const eventsDatabase = `${databasePrefix}events`;
  await ensureDatabase(pg.serverUrl, eventsDatabase);
  const events = { EVENTS_DATABASE_URL: databaseUrl(pg.serverUrl, eventsDatabase) };
  // Data services first, then the apps, then the edge, each kind once the one
  // before serves: a client's first connection to a server not yet listening
  // waits out grpc-js's reconnect backoff, and the first calls after "up"
  // would answer UNAVAILABLE meanwhile.
  for (const kind of ["data", "app", "edge"] as const) {
    await Promise.all(
      services
        .filter((service) => service.kind === kind)
        .map((service) =>
          launch(service, pg, keys, events).catch((error: Error) => {
            throw new Error(`${service.name} (${service.entry}): ${error.message}`);
          }),
        ),
    );
  }
  const seconds = (performance.now() - startedAt) / 1000;
  if (!stopping)
    process.stdout.write(`${banner(services, `${where}, ${new URL(pg.serverUrl).host}`, seconds, gatewayPort)}\n`);
} catch (error) {
  await shutdown(1, `failed to start: ${error instanceof Error ? error.message : String(error)}`);
}
