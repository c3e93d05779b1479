import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { repoRoot } from "../../runtime/repo-root.js";

/**
 * The launcher as `npm start` runs it (compiled, `node dist/runtime/launch/start.js`;
 * the caller builds first), with its output collected: the pids it reports
 * for each service it starts, and the last lines for failure messages.
 */
export class LauncherProcess {
  readonly process: ChildProcess;
  /** Every pid the launcher reported per service name, in start order (a restart adds one). */
  readonly pids = new Map<string, number[]>();
  private readonly lines: string[] = [];

  constructor(env: Record<string, string>) {
    this.process = spawn(process.execPath, [path.join(repoRoot, "dist/runtime/launch/start.js")], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    for (const stream of [this.process.stdout, this.process.stderr]) {
      let partial = "";
      stream?.setEncoding("utf8").on("data", (chunk: string) => {
        const lines = (partial + chunk).split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) this.read(line);
      });
    }
  }

  /** Whether the launcher has said every process is up (its start-up is over: a child's exit is then restarted, not fatal). */
  up = false;

  private read(line: string): void {
    this.lines.push(line);
    if (line.startsWith("HR platform is up")) this.up = true;
    if (this.lines.length > 200) this.lines.shift();
    const started = /^launch: (.+) started \(pid (\d+)\)$/.exec(line);
    if (started?.[1] && started[2]) {
      this.pids.set(started[1], [...(this.pids.get(started[1]) ?? []), Number(started[2])]);
    }
  }

  /** The pid the launcher last reported for `service`. */
  pidOf(service: string): number | undefined {
    return this.pids.get(service)?.at(-1);
  }

  /** The launcher's last lines of output, for a failure message. */
  tail(count = 40): string {
    return this.lines.slice(-count).join("\n");
  }

  exited(): Promise<number | null> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) {
      return Promise.resolve(this.process.exitCode);
    }
    return new Promise((resolve) => this.process.once("exit", (code) => resolve(code)));
  }
}

/** Whether anything still runs in the process group led by `pid` (the launcher starts each child, and PostgreSQL, in its own). */
export function groupRuns(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}
