import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { hasExited, killChild, stopChild } from "../../runtime/launch/children.js";
import { isListening } from "../../runtime/launch/readiness.js";

// The bench's server processes, each in its own process group, stopped and
// killed as the launcher stops its children (runtime/launch/children.ts).

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const STARTUP_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;

/**
 * The one place that says how a server process is started: as `npm start`
 * does, `node dist/<entry>.js` (the bench builds first; the echo floors are
 * compiled with the services, see tsconfig.build.json). Logs (stdout) are
 * discarded so they do not flood the bench output; stderr stays visible for
 * crashes. BENCH_CPU_PROF=<dir>: a V8 CPU profile of each server, written
 * when it stops (Node refuses --cpu-prof in NODE_OPTIONS, so it goes here).
 */
export function startServiceProcess(name: string, entry: string, env: Record<string, string>): ChildProcess {
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const compiled = `${repoRoot}dist/${entry.replace(/\.ts$/, ".js")}`;
  const child = spawn(process.execPath, [...profile, compiled], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  child.once("error", (error) => console.error(`${name}: ${error.message}`));
  return child;
}

export interface ServerProcess {
  name: string;
  /** Pid of the process started (the root of its tree). */
  pid: number;
  port: number;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

// Last resort when the driver dies without its cleanup: no orphaned servers.
process.once("exit", () => {
  for (const child of running) killChild(child);
});

/** Starts a server process and resolves once it accepts connections on `port`. */
export async function launch(
  name: string,
  entry: string,
  port: number,
  env: Record<string, string>,
): Promise<ServerProcess> {
  const child = startServiceProcess(name, entry, env);
  running.add(child);
  const stop = async () => {
    await stopChild(child, STOP_GRACE_MS);
    running.delete(child);
  };
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (!(await isListening(port))) {
    const failure = hasExited(child)
      ? `exited (${child.signalCode ?? `code ${child.exitCode}`})`
      : Date.now() > deadline && `not listening after ${STARTUP_TIMEOUT_MS / 1000} s`;
    if (failure) {
      await stop();
      throw new Error(`${name} (${entry}) ${failure} before listening on port ${port}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (child.pid === undefined) throw new Error(`${name}: no pid`);
  return { name, pid: child.pid, port, stop };
}
