import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "../repo-root.js";

// The launcher's child processes, each in its own process group: the launcher
// alone decides when they stop (a terminal's Ctrl-C reaches only the
// launcher), and a signal sent to the group reaches everything the child runs,
// so a SIGKILL leaves no orphan behind.
//
// A launcher compiled to dist/ (`npm start`) runs each child as plain
// `node dist/<entry>.js`: no TypeScript loader, no esbuild child, a smaller
// process. A launcher run from source (`npm run dev`) runs `tsx <entry>.ts`,
// so an edit needs no build.
const compiled = import.meta.url.endsWith(".js");

/** The file a child runs for `entry` (relative to the repository root, without extension). */
export function entryFile(entry: string): string {
  return compiled ? path.join(repoRoot, "dist", `${entry}.js`) : path.join(repoRoot, `${entry}.ts`);
}

export function spawnChild(entry: string, env: Record<string, string>): ChildProcess {
  const file = entryFile(entry);
  if (!existsSync(file)) throw new Error(`${file} not found${compiled ? " (npm run build)" : ""}`);
  const [command, args] = compiled
    ? [process.execPath, [file]]
    : [path.join(repoRoot, "node_modules", ".bin", "tsx"), [file]];
  return spawn(command, args, {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
}

export function hasExited(child: ChildProcess): boolean {
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
