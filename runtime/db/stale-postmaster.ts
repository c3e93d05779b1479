import { execFile } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

// A run killed hard (SIGKILL, OOM) leaves <dataDir>/postmaster.pid behind, and
// since we start PostgreSQL in its own process group, possibly the server too.
// PostgreSQL itself discards a pid file whose process is gone, but refuses to
// start while that pid is alive, and in containers pids are small and get
// reused after a restart. This sorts out the three cases before a start.

const OWNER_FILE = "embedded-postgres.owner";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function commandLineOf(pid: number): Promise<string | undefined> {
  try {
    return (await promisify(execFile)("ps", ["-o", "args=", "-p", String(pid)])).stdout;
  } catch {
    return undefined;
  }
}

async function readPid(file: string): Promise<number | undefined> {
  const text = await readFile(file, "utf8").catch(() => "");
  const pid = Number.parseInt(text.split("\n")[0] ?? "", 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Records which process runs the server of `dataDir`, so a later start can tell an orphan from a live one. */
export async function claimDataDir(dataDir: string): Promise<void> {
  await writeFile(path.join(dataDir, OWNER_FILE), `${process.pid}\n`);
}

/** Makes `dataDir` startable: drops a pid file of a dead or unrelated process, stops an orphaned server. */
export async function clearStalePostmaster(dataDir: string, timeoutMs = 30_000): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  const pid = await readPid(pidFile);
  if (pid === undefined || !isAlive(pid)) return; // PostgreSQL removes a dead process's pid file itself.
  const commandLine = await commandLineOf(pid);
  if (commandLine === undefined) return; // Cannot tell: let PostgreSQL decide and explain.
  if (!commandLine.includes("postgres") || !commandLine.includes(dataDir)) {
    await rm(pidFile, { force: true }); // A reused pid, not our server.
    return;
  }
  const owner = await readPid(path.join(dataDir, OWNER_FILE));
  if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
    throw new Error(
      `embedded PostgreSQL in ${dataDir} is in use by process ${owner} (server pid ${pid}); stop that first`,
    );
  }
  // An orphan of a killed run: fast shutdown (SIGINT), then start afresh.
  process.kill(pid, "SIGINT");
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`orphaned PostgreSQL (pid ${pid}) on ${dataDir} did not stop`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
