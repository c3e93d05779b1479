import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";

// The launcher's child processes. Each runs `tsx <entry>` in its own process
// group: the launcher alone decides when they stop (a terminal's Ctrl-C
// reaches only the launcher), and a signal sent to the group reaches both tsx
// and the node process it runs, so a SIGKILL leaves no orphan behind.

export function spawnChild(repoRoot: string, entry: string, env: Record<string, string>): ChildProcess {
  return spawn(`${repoRoot}node_modules/.bin/tsx`, [entry], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || hasExited(child)) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (hasExited(child) || child.pid === undefined) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** SIGTERM (the child drains its in-flight calls), then SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  signalGroup(child, "SIGTERM");
  if (await exited(child, graceMs)) return;
  signalGroup(child, "SIGKILL");
  await exited(child, 5_000);
}

export function killChild(child: ChildProcess): void {
  signalGroup(child, "SIGKILL");
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    const done = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.setTimeout(1_000, () => done(false));
  });
}

/** Resolves once `port` accepts connections; rejects if `child` exits first or after `timeoutMs`. */
export async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await isListening(port))) {
    if (hasExited(child)) throw new Error(`exited (${child.signalCode ?? `code ${child.exitCode}`}) before listening`);
    if (Date.now() > deadline) throw new Error(`not listening on port ${port} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
