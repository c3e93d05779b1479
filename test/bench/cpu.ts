import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

// CPU time and memory of process trees, from /proc (Linux only). A tree is a
// process and all its descendants: tsx runs the server in a node grandchild,
// PostgreSQL serves each connection in a child of the postmaster.

const TICK_US = 1e6 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/** The fields after "pid (comm)" of /proc/<pid>/stat; comm may hold spaces, so split after its last ")". */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined; // The process has gone.
  }
}

const allPids = () =>
  readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);

export function descendantsAndSelf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of allPids()) {
    const ppid = Number(statFields(pid)?.[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i] ?? -1) ?? []));
  return tree;
}

/** Pids whose command line contains `text` (e.g. the embedded PostgreSQL's data directory). */
export function pidsWithCommandLine(text: string): number[] {
  return allPids().filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").includes(text);
    } catch {
      return false;
    }
  });
}

/** CPU µs all cores spent busy so far (everything but idle and iowait in /proc/stat): shows what else ran. */
export function machineBusyMicros(): number {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync("/proc/stat", "utf8")
    .split("\n")[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return sum([user, nice, system, irq, softirq, steal]) * TICK_US;
}

const sum = (values: (number | undefined)[]) => values.reduce<number>((a, b) => a + (b ?? 0), 0);

/** A process tree whose CPU and memory the bench samples. */
export interface Probe {
  name: string;
  /** CPU time in µs of the tree so far (user + system, including reaped children's). */
  cpuMicros(): number;
  /** The largest resident set (MB) of one process of the tree, as of the last cpuMicros(). */
  rssMb(): number;
}

export function treeProbe(name: string, root: number): Probe {
  let pids = [root];
  return {
    name,
    cpuMicros() {
      pids = descendantsAndSelf(root);
      let ticks = 0;
      for (const pid of pids) {
        const f = statFields(pid);
        // utime, stime, cutime, cstime: fields 14 to 17 of stat(5), here from index 11.
        if (f) ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      }
      return ticks * TICK_US;
    },
    rssMb() {
      let maxKb = 0;
      for (const pid of pids) {
        try {
          const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
          maxKb = Math.max(maxKb, Number(match?.[1] ?? 0));
        } catch {
          // The process has gone.
        }
      }
      return maxKb / 1024;
    },
  };
}
