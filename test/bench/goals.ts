import { ONE_AT_A_TIME } from "./cases/case.js";
import type { Row } from "./report.js";
import { gatewayAddedP50 } from "./report.js";

// The table of issue 17 ("What it costs"): each row's figure now, from this
// run, beside the goal. CPU goals are multiples of the echo server's
// CPU per call in the same run, so they hold on a faster or slower machine.

const fixed = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "—");
const rate = (r: Row | undefined) => (r ? r.m.calls / r.m.seconds : NaN);
const micros = (r: Row | undefined, servers?: readonly string[]) =>
  r ? (servers ?? r.servers).reduce((sum, s) => sum + (r.m.cpuMicros.get(s) ?? NaN), 0) / r.m.calls : NaN;

/** The goals table; `sendsAll`: the overload case's goodput over sustainable by multiple (none when it did not run). */
export function goalsTable(rows: readonly Row[], sendsAll: ReadonlyMap<number, number> | undefined): string[] {
  const find = (prefix: string) => rows.find((r) => r.name.startsWith(prefix));
  const [echo, get, refused] = [find("raw grpc-js echo"), find("GetEmployee"), find("GetEmployee refused")];
  const [hire, rawHire] = [find("HireEmployee (new"), find("raw pg: hire")];
  const [direct, gateway] = [find("GetManagerChain (directory"), find("GetManagerChain (through")];
  const echoMicros = micros(echo);
  const x = (n: number) => `${fixed(n / echoMicros, 1)} × echo`;
  const directoryMicros = micros(direct, ["directory"]);
  const single = (prefix: string) => fixed(find(`${ONE_AT_A_TIME}${prefix}`)?.m.p50 ?? NaN, 2);
  const lines = [
    `| raw grpc-js echo (floor) | ${fixed(rate(echo))} calls/s, ${fixed(echoMicros)} µs server CPU; load process ${fixed(echo ? echo.m.loadCpuMicros / echo.m.calls : NaN)} µs per call | — |`,
    `| GetEmployee | ${fixed(rate(get))} calls/s (${fixed(rate(get) / rate(echo), 2)} of echo), ${fixed(micros(get))} µs (${x(micros(get))}) | ≥ 0.5 of echo, ≤ 4 × echo CPU |`,
    `| HireEmployee / a raw pg transaction doing the same inserts | ${fixed(rate(hire))} vs ${fixed(rate(rawHire))} (${fixed(rate(hire) / rate(rawHire), 2)}) | ≥ 0.6 |`,
    `| GetManagerChain straight to directory (2 people calls) | ${fixed(rate(direct))} calls/s; directory ${fixed(directoryMicros)} µs + people ${fixed(micros(direct) - directoryMicros)} µs per call (${x(directoryMicros / 2)} per downstream call) | directory ≤ 3 × echo CPU per downstream call |`,
    `| the same through the gateway (HTTP/JSON) | ${fixed(rate(gateway))} calls/s (${fixed(rate(gateway) / rate(direct), 2)}); gateway ${fixed(micros(gateway, ["gateway"]))} µs per call (${x(micros(gateway, ["gateway"]))}) | ≥ 0.85 of direct; gateway ≤ 4 × echo CPU |`,
    `| one call at a time, p50 | GetEmployee ${single("GetEmployee")} ms direct; GetManagerChain ${single("GetManagerChain (directory")} ms direct, ${single("GetManagerChain (through")} ms through the gateway: ${fixed(gatewayAddedP50(rows), 2)} ms added | ≤ 0.5 ms added |`,
    `| overload, a client that sends everything | goodput ${fixed(sendsAll?.get(2) ?? NaN, 2)} of sustainable at 2×, ${fixed(sendsAll?.get(4) ?? NaN, 2)} at 4× | ≥ 0.7 at 2×, ≥ 0.5 at 4× |`,
    `| a call refused unrun (item 6) | ${fixed(micros(refused))} µs server CPU (${x(micros(refused))}) | ≤ 1.5 × echo CPU |`,
  ];
  return ["## Issue 17's table: now (this run) and goal", "", "| case | now | goal |", "|---|---|---|", ...lines, ""];
}
