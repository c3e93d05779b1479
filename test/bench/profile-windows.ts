import { writeFileSync } from "node:fs";
import { join } from "node:path";

// With BENCH_CPU_PROF=<dir>, the bench notes when each case's measured window
// opened and closed, and which server had which pid, in <dir>/windows.json, so
// that profile-summary.ts can cut every server's profile into its cases. The
// times are process.hrtime's monotonic clock in µs: the clock V8 stamps
// profile samples with, shared by every process on the machine.

export const PROFILE_DIR = process.env.BENCH_CPU_PROF || undefined;

/** A measured window: the case's name, its answered calls, and its bounds on the monotonic clock (µs). */
export interface ProfileWindow {
  name: string;
  calls: number;
  startUs: number;
  endUs: number;
}

const windows: ProfileWindow[] = [];

/** The monotonic clock in µs, as V8's profiles stamp their samples. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export function noteWindow(window: ProfileWindow): void {
  if (PROFILE_DIR) windows.push(window);
}

/** Writes the windows and the servers' pids next to the profiles (nothing without BENCH_CPU_PROF). */
export function writeProfileWindows(servers: readonly { name: string; pid: number }[]): void {
  if (!PROFILE_DIR) return;
  const named = servers.map(({ name, pid }) => ({ name, pid }));
  writeFileSync(join(PROFILE_DIR, "windows.json"), `${JSON.stringify({ servers: named, windows }, null, 2)}\n`);
}
