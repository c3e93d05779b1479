import { readdirSync, readFileSync } from "node:fs";

/** The pids whose parent is `pid` (Linux /proc): a PostgreSQL postmaster's backends, to freeze with it. */
export function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        // Field 4 of stat, after the command name in parentheses, is the parent's pid.
        const stat = readFileSync(`/proc/${name}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
      } catch {
        return false; // It ended meanwhile.
      }
    })
    .map(Number);
}
