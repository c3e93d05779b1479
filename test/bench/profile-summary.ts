import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ProfileWindow } from "./profile-windows.js";

// `npx tsx test/bench/profile-summary.ts <dir> [case prefix ...]`: reads the
// servers' profiles that `BENCH_CPU_PROF=<dir> npm run bench` wrote, cuts each
// into the bench's measured windows (windows.json), and prints, per case and
// per server busy in it, where the main thread's time went by layer: self
// (the function on top of the stack) and inclusive (the layer anywhere on the
// stack, counted once per sample). Percentages are of the busy (non-idle)
// samples; µs per call is busy sample time over the calls answered, a wall
// time that contention inflates: read it against the bench's CPU per call.

interface CallFrame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const IDLE = "(idle)";
const JSON_FUNCTIONS = new Set(["parse", "stringify", "JSONParse", "JSONStringify", "JsonParse", "JsonStringify"]);
const PACKAGE_LAYERS: [RegExp, string][] = [
  [/^@grpc\/grpc-js$/, "grpc-js"],
  [/^nice-grpc|^abort-controller-x$/, "nice-grpc (and its middleware packages)"],
  [/^@connectrpc\//, "Connect"],
  [/^@prisma\/|^prisma$/, "Prisma"],
  [/^pg(-protocol|-pool|-types|-connection-string)?$|^postgres-/, "pg"],
  [/^protobufjs$|^long$|^@bufbuild\/protobuf$|^@protobufjs\//, "protobuf coding"],
  [/^jose$/, "jose (tokens)"],
  [/^pino|^sonic-boom$|^thread-stream$|^fast-redact$|^quick-format-unescaped$|^@pinojs\//, "pino (logging)"],
];

/** The layer a frame belongs to, fine-grained: our own code per file. */
function layerOf({ functionName, url }: CallFrame): string {
  if (functionName === "(garbage collector)") return "GC";
  if (functionName === IDLE || functionName === "(root)") return functionName;
  if (functionName === "(program)") return "V8/native (program)";
  if (url === "") return JSON_FUNCTIONS.has(functionName) ? "JSON" : "native bindings and V8 builtins";
  if (url.startsWith("node:")) {
    if (url.includes("http2")) return "node: http2";
    if (url.includes("stream")) return "node: streams";
    if (/net|tls|dns|tcp/.test(url)) return "node: net";
    return "node: other";
  }
  const modules = url.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const parts = url.slice(modules + "/node_modules/".length).split("/");
    const name = parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] ?? "");
    return PACKAGE_LAYERS.find(([pattern]) => pattern.test(name))?.[1] ?? `package ${name}`;
  }
  const dist = url.lastIndexOf("/dist/");
  const own = dist >= 0 ? url.slice(dist + "/dist/".length) : url.replace(/^file:\/\//, "");
  if (own.startsWith("generated/")) return "protobuf coding";
  if (own.startsWith("runtime/")) return own.replace(/\.js$/, "");
  if (own.startsWith("services/") || own.startsWith("apps/") || own.startsWith("test/"))
    return own.replace(/\.js$/, "");
  return `other ${own}`;
}

/** The coarse layer: our runtime and our services/apps as one row each. */
function groupOf(layer: string): string {
  if (layer.startsWith("runtime/")) return "our runtime (all files)";
  if (layer.startsWith("services/") || layer.startsWith("apps/"))
    return "our services/apps (handlers, domain, repositories)";
  if (layer.startsWith("test/")) return "bench echo";
  if (layer.startsWith("node: ")) return "node internals (all)";
  return layer;
}

/** Time per layer within a window: self and inclusive, in µs, and the busy total. */
interface WindowProfile {
  busyMicros: number;
  self: Map<string, number>;
  inclusive: Map<string, number>;
  functions: Map<string, number>;
}

function summarise(profile: CpuProfile, fromUs: number, toUs: number): WindowProfile {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Every layer (fine and coarse) on a node's stack, computed once per node.
  const stackLayers = new Map<number, Set<string>>();
  const layersOf = (id: number): Set<string> => {
    const known = stackLayers.get(id);
    if (known) return known;
    const up = parent.get(id);
    const set = new Set(up === undefined ? [] : layersOf(up));
    const node = byId.get(id);
    if (node) {
      const layer = layerOf(node.callFrame);
      set.add(layer).add(groupOf(layer));
    }
    stackLayers.set(id, set);
    return set;
  };
  const result: WindowProfile = { busyMicros: 0, self: new Map(), inclusive: new Map(), functions: new Map() };
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  let at = profile.startTime;
  const times = profile.timeDeltas.map((d) => {
    at += d;
    return at;
  });
  for (let i = 0; i < profile.samples.length; i++) {
    const time = times[i] ?? 0;
    if (time < fromUs || time >= toUs) continue;
    const node = byId.get(profile.samples[i] ?? -1);
    if (!node) continue;
    const layer = layerOf(node.callFrame);
    if (layer === IDLE) continue;
    const weight = (times[i + 1] ?? time) - time;
    result.busyMicros += weight;
    add(result.self, layer, weight);
    if (groupOf(layer) !== layer) add(result.self, groupOf(layer), weight);
    for (const l of layersOf(node.id)) add(result.inclusive, l, weight);
    const { functionName } = node.callFrame;
    add(result.functions, `${functionName || "(anonymous)"} ${layer === functionName ? "" : layer}`.trim(), weight);
  }
  return result;
}

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
