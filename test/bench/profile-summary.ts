import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type CpuProfile, summarise, type WindowProfile } from "./profile-layers.js";
import type { ProfileWindow } from "./profile-windows.js";

// `npx tsx test/bench/profile-summary.ts <dir> [case prefix ...]`: reads the
// servers' profiles that `BENCH_CPU_PROF=<dir> npm run bench` wrote, cuts each
// into the bench's measured windows (windows.json), and prints, per case and
// per server busy in it, where the main thread's time went by layer: self
// (the function on top of the stack) and inclusive (the layer anywhere on the
// stack, counted once per sample). Percentages are of the busy (non-idle)
// samples; µs per call is busy sample time over the calls answered, a wall
// time that contention inflates: read it against the bench's CPU per call.

const GROUPS = [
  "node internals (all)",
  "node: http2",
  "node: streams",
  "node: net",
  "node: other",
  "grpc-js",
  "nice-grpc (and its middleware packages)",
  "Connect",
  "our runtime (all files)",
  "our services/apps (handlers, domain, repositories)",
  "bench echo",
  "pg",
  "Prisma",
  "protobuf coding",
  "JSON",
  "jose (tokens)",
  "pino (logging)",
  "native bindings and V8 builtins",
  "V8/native (program)",
  "GC",
];

function report(name: string, server: string, calls: number, w: WindowProfile): string[] {
  const pct = (us: number) => ((us / w.busyMicros) * 100).toFixed(1);
  const perCall = (us: number) => (us / Math.max(1, calls)).toFixed(0);
  const row = (label: string) => {
    const self = w.self.get(label) ?? 0;
    const incl = w.inclusive.get(label) ?? 0;
    return `| ${label} | ${pct(self)} | ${perCall(self)} | ${pct(incl)} | ${perCall(incl)} |`;
  };
  const others = [...w.self.keys()].filter(
    (k) => !GROUPS.includes(k) && !k.startsWith("runtime/") && !k.startsWith("services/") && !k.startsWith("apps/"),
  );
  const ownFiles = [...w.inclusive.entries()]
    .filter(([k]) => /^(runtime|services|apps)\//.test(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 14);
  const top = [...w.functions.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
  const head = ["| layer | self % | self µs/call | inclusive % | inclusive µs/call |", "|---|--:|--:|--:|--:|"];
  return [
    `### ${name}: ${server}`,
    "",
    `${calls} calls; ${(w.busyMicros / 1000).toFixed(0)} ms busy (main thread, non-idle samples): ${perCall(w.busyMicros)} µs per call`,
    "",
    ...head,
    ...GROUPS.filter((g) => (w.inclusive.get(g) ?? 0) > 0).map(row),
    ...others.filter((k) => !k.startsWith("(")).map(row),
    "",
    "Our own files, by inclusive time:",
    "",
    ...head,
    ...ownFiles.map(([k]) => row(k)),
    "",
    "Top functions by self time:",
    "",
    "| function (layer) | self % | self µs/call |",
    "|---|--:|--:|",
    ...top.map(([k, us]) => `| ${k.replaceAll("|", "\\|")} | ${pct(us)} | ${perCall(us)} |`),
    "",
  ];
}

function main(): void {
  const [dir, ...prefixes] = process.argv.slice(2);
  if (!dir) {
    console.error("usage: tsx test/bench/profile-summary.ts <BENCH_CPU_PROF dir> [case prefix ...]");
    process.exit(2);
  }
  const { servers, windows } = JSON.parse(readFileSync(join(dir, "windows.json"), "utf8")) as {
    servers: { name: string; pid: number }[];
    windows: ProfileWindow[];
  };
  const profiles = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => ({ pid: Number(f.split(".")[3]), file: join(dir, f) }))
    .map(({ pid, file }) => ({
      server: servers.find((s) => s.pid === pid)?.name ?? `pid ${pid}`,
      profile: JSON.parse(readFileSync(file, "utf8")) as CpuProfile,
    }));
  const lines: string[] = [];
  for (const window of windows) {
    if (prefixes.length > 0 && !prefixes.some((p) => window.name.startsWith(p))) continue;
    for (const { server, profile } of profiles) {
      const w = summarise(profile, window.startUs, window.endUs);
      // A server that sat idle in this case (under 5 % of the window busy) was not part of it.
      if (w.busyMicros < 0.05 * (window.endUs - window.startUs)) continue;
      lines.push(...report(window.name, server, window.calls, w));
    }
  }
  console.log(lines.join("\n"));
}

main();
