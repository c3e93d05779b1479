import { ONE_AT_A_TIME } from "./cases/case.js";
import type { Measured } from "./load.js";

// The bench's output: one Markdown document (printed, and written to
// bench/results/latest.md): how it ran, a row per case, and the ratios the
// issue sets targets for, each marked met or not met.

export interface Row {
  name: string;
  servers: readonly string[];
  m: Measured;
}

const PG = "postgres";
/** The floor every server's CPU per call is divided by: a raw grpc-js server echoing the bytes it gets. */
export const ECHO_CASE = "raw grpc-js echo";
/** Downstream (people) calls one GetManagerChain of a one-level chain makes: GetEmployee, then one BatchGet. */
const CHAIN_DOWNSTREAM_CALLS = 2;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const fixed = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "—");

const callsPerSecond = (r: Row) => r.m.calls / r.m.seconds;
const serverMicros = (r: Row) => sum(r.servers.map((s) => r.m.cpuMicros.get(s) ?? 0));
const perCall = (r: Row, micros: number) => micros / r.m.calls;
const percentOfCore = (r: Row, micros: number) => (micros / (r.m.seconds * 1e6)) * 100;

/** The echo's server CPU per call in this run (NaN when it did not run). */
export function echoMicros(rows: readonly Row[]): number {
  const echo = rows.find((r) => r.name === ECHO_CASE);
  return echo ? perCall(echo, serverMicros(echo)) : NaN;
}

/** What the machine ran in the window besides this bench's servers, its PostgreSQL and its load, in % of a core. */
const othersPercent = (r: Row) =>
  percentOfCore(r, r.m.machineCpuMicros - sum([...r.m.cpuMicros.values()]) - r.m.loadCpuMicros);

function serverCpuCell(r: Row): string {
  if (r.servers.length === 0) return "—";
  const total = fixed(perCall(r, serverMicros(r)));
  if (r.servers.length === 1) return total;
  return `${total} (${r.servers.map((s) => `${s} ${fixed((r.m.cpuMicros.get(s) ?? 0) / r.m.calls)}`).join(" + ")})`;
}

function caseTable(rows: readonly Row[]): string[] {
  const hasPg = rows.some((r) => r.m.cpuMicros.has(PG));
  const echo = echoMicros(rows);
  const head = ["case", "calls/s", "p50 ms", "p99 ms", "p99/p50", "server CPU µs/call", "× echo", "server RSS MB"];
  head.push(
    "server CPU %",
    ...(hasPg ? ["PostgreSQL CPU µs/call"] : []),
    "load process CPU µs/call",
    "load process CPU %",
    "other processes CPU %",
  );
  head.push("errors");
  const lines = [`| ${head.join(" | ")} |`, `|${head.map((_, k) => (k === 0 ? "---" : "--:")).join("|")}|`];
  for (const r of rows) {
    const rss = Math.max(0, ...r.servers.map((s) => r.m.rssMb.get(s) ?? 0));
    const cells = [r.name, fixed(callsPerSecond(r)), fixed(r.m.p50, 2), fixed(r.m.p99, 2), fixed(r.m.p99 / r.m.p50, 1)];
    cells.push(serverCpuCell(r), r.servers.length ? fixed(perCall(r, serverMicros(r)) / echo, 1) : "—");
    cells.push(r.servers.length ? fixed(rss) : "—");
    cells.push(r.servers.length ? fixed(percentOfCore(r, serverMicros(r))) : "—");
    if (hasPg) cells.push(fixed((r.m.cpuMicros.get(PG) ?? 0) / r.m.calls));
    cells.push(fixed(perCall(r, r.m.loadCpuMicros)));
    cells.push(fixed(percentOfCore(r, r.m.loadCpuMicros)), fixed(othersPercent(r)));
    cells.push(String(r.m.errors));
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines;
}

const p50Ratio = (x: Row | undefined, y: Row | undefined) => (x && y ? x.m.p50 / y.m.p50 : NaN);

/**
 * What the gateway adds to a call's latency with nothing queued: the p50 of
 * GetManagerChain made one at a time through it, minus the same call's made
 * straight to directory (ms). The gateway exposes only application contracts,
 * so its added latency is measured on an app's call, not on people's
 * GetEmployee, which no client outside reaches.
 */
export function gatewayAddedP50(rows: readonly Row[]): number {
  const p50 = (prefix: string) => rows.find((r) => r.name.startsWith(`${ONE_AT_A_TIME}${prefix}`))?.m.p50 ?? NaN;
  return p50("GetManagerChain (through") - p50("GetManagerChain (directory");
}

function ratioTable(rows: readonly Row[]): string[] {
  const find = (prefix: string) => rows.find((r) => r.name.startsWith(prefix));
  const throughput = (a: string, b: string) => {
    const [x, y] = [find(a), find(b)];
    return x && y && callsPerSecond(y) > 0 ? callsPerSecond(x) / callsPerSecond(y) : NaN;
  };
  const echo = echoMicros(rows);
  /** A process's CPU per call of a case, as a multiple of the echo's. */
  const timesEcho = (prefix: string, server?: string) => {
    const r = find(prefix);
    if (!r) return NaN;
    return perCall(r, server ? (r.m.cpuMicros.get(server) ?? NaN) : serverMicros(r)) / echo;
  };
  const checks: [string, number, "≥" | "≤", number][] = [
    ["GetEmployee / raw grpc-js echo (calls/s)", throughput("GetEmployee", ECHO_CASE), "≥", 0.5],
    ["GetEmployee server CPU per call (× echo)", timesEcho("GetEmployee"), "≤", 4],
    ["GetEmployee refused unrun: server CPU per call (× echo)", timesEcho("GetEmployee refused"), "≤", 1.5],
    ["BatchGetEmployees 50 / GetEmployee (calls/s)", throughput("BatchGetEmployees", "GetEmployee"), "≥", 0.25],
    ["ListEmployees 50 / GetEmployee (calls/s)", throughput("ListEmployees", "GetEmployee"), "≥", 0.25],
    ["HireEmployee / raw pg hire transaction (calls/s)", throughput("HireEmployee (new", "raw pg: hire"), "≥", 0.6],
    ["RequestLeave spread / HireEmployee (calls/s)", throughput("RequestLeave spread", "HireEmployee (new"), "≥", 0.5],
    ["GetTeam / GetEmployee (calls/s)", throughput("GetTeam", "GetEmployee"), "≥", 0.4],
    [
      `GetManagerChain direct: directory CPU per downstream call (× echo, ${CHAIN_DOWNSTREAM_CALLS} calls)`,
      timesEcho("GetManagerChain (directory", "directory") / CHAIN_DOWNSTREAM_CALLS,
      "≤",
      3,
    ],
    [
      "GetManagerChain through the gateway: gateway CPU per call (× echo)",
      timesEcho("GetManagerChain (through", "gateway"),
      "≤",
      4,
    ],
    [
      "GetManagerChain through the gateway / direct (calls/s)",
      throughput("GetManagerChain (through", "GetManagerChain (directory"),
      "≥",
      0.85,
    ],
    [
      "GetManagerChain through the gateway / direct (p50)",
      p50Ratio(find("GetManagerChain (through"), find("GetManagerChain (directory")),
      "≤",
      1.15,
    ],
    ["GetManagerChain one at a time: the gateway's added p50 (ms)", gatewayAddedP50(rows), "≤", 0.5],
    ...rows.map((r): [string, number, "≥" | "≤", number] => [`p99/p50 ${r.name}`, r.m.p99 / r.m.p50, "≤", 5]),
  ];
  const lines = ["| ratio | value | target | |", "|---|--:|--:|---|"];
  for (const [name, value, op, target] of checks) {
    // A case without answers gives no ratio: NaN or an infinite one is never "met".
    const met = Number.isFinite(value) && (op === "≥" ? value >= target : value <= target);
    lines.push(`| ${name} | ${fixed(value, value >= 10 ? 0 : 2)} | ${op} ${target} | ${met ? "met" : "**not met**"} |`);
  }
  return lines;
}

/** The whole document; `sections` (the rate limiter's and the overload case's) go after the ratios. */
export function report(header: readonly string[], rows: readonly Row[], sections: readonly string[] = []): string {
  const errors = rows
    .filter((r) => r.m.firstError)
    .map((r) => `- ${r.name}: ${r.m.errors} errors, first: ${r.m.firstError}`);
  const others = Math.max(...rows.map(othersPercent));
  const warning =
    others > 20
      ? [
          `**Other processes used up to ${fixed(others)} % of a core during the cases**: calls/s, latencies and the`,
          "throughput ratios then measure the CPU share the bench got as much as the code. Server CPU per call is",
          "the sturdier figure (though contention inflates it too); rerun on a quiet machine to compare throughput.",
          "",
        ]
      : [];
  return [
    "# Benchmark: what users get",
    "",
    ...header.map((line) => `- ${line}`),
    "",
    ...warning,
    ...caseTable(rows),
    "",
    ...(errors.length ? ["Errors:", "", ...errors, ""] : []),
    "## Ratios",
    "",
    ...ratioTable(rows),
    "",
    ...sections,
  ].join("\n");
}
