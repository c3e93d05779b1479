// How profile-summary.ts reads a V8 CPU profile: every frame's layer (node
// internals, each library, our own code per file, GC), and a window's busy
// time by layer, self and inclusive.

export interface CallFrame {
  functionName: string;
  url: string;
}
export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
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
export function layerOf({ functionName, url }: CallFrame): string {
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
export function groupOf(layer: string): string {
  if (layer.startsWith("runtime/")) return "our runtime (all files)";
  if (layer.startsWith("services/") || layer.startsWith("apps/"))
    return "our services/apps (handlers, domain, repositories)";
  if (layer.startsWith("test/")) return "bench echo";
  if (layer.startsWith("node: ")) return "node internals (all)";
  return layer;
}

/** Time per layer within a window: self and inclusive, in µs, and the busy total. */
export interface WindowProfile {
  busyMicros: number;
  self: Map<string, number>;
  inclusive: Map<string, number>;
  functions: Map<string, number>;
}

/**
 * The busy (non-idle) samples stamped in [fromUs, toUs): self time by layer
 * (fine and coarse), inclusive time by every layer on the stack (once per
 * sample), and self time by function. A sample weighs the time to the next.
 */
export function summarise(profile: CpuProfile, fromUs: number, toUs: number): WindowProfile {
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
