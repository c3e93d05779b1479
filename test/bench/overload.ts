import {
  EmployeeServiceDefinition,
  GetEmployeeRequest,
} from "../../generated/proto/hr/employee/v1/employee_service.js";
import type { CallOptions, Case } from "./cases/case.js";
import type { Probe } from "./cpu.js";
import { CONCURRENCY, measure, SECONDS } from "./load.js";
import { type OpenLoopResult, openLoop, SERVER_REFUSED_LATE } from "./open-loop.js";
import { grpcFrame, openRawChannel } from "./raw-grpc-client.js";

// The overload case: how much useful work people still does when asked for
// more than it can do. First its sustainable GetEmployee rate (the closed
// loop, CONCURRENCY in flight), then open-loop arrivals at MULTIPLIERS times
// that rate for SECONDS each, every call with a DEADLINE_MS deadline sent as
// our clients send it (x-deadline-ms). Goodput: answers OK within the
// deadline per second of arrivals.

export const OVERLOAD_CASE = "Overload GetEmployee";
const MULTIPLIERS = [2, 4];
const DEADLINE_MS = 500;
const TARGET = 0.8;

/** Runs the case and returns its section of the report. */
export async function overloadSection(
  getEmployee: Case,
  peopleAddresses: readonly string[],
  options: CallOptions,
  employeeIds: readonly string[],
  probes: readonly Probe[],
): Promise<string[]> {
  const closed = await measure(getEmployee.call, probes);
  const sustainable = closed.calls / closed.seconds;
  process.stderr.write(`sustainable ${Math.round(sustainable)} calls/s`);
  const authorization = options.metadata.get("authorization") ?? "";
  const channels = peopleAddresses.map((address) => openRawChannel(address, { authorization }));
  const { fullName, methods } = EmployeeServiceDefinition;
  const path = `/${fullName}/${methods.getEmployee.name}`;
  const frames = employeeIds.map((id) => grpcFrame(GetEmployeeRequest.encode({ id }).finish()));
  const phases: [number, OpenLoopResult][] = [];
  try {
    for (const multiplier of MULTIPLIERS) {
      const call = (i: number) =>
        channels[i % channels.length]!.unary(path, frames[(i * 7919) % frames.length]!, DEADLINE_MS);
      const result = await openLoop(call, multiplier * sustainable, SECONDS, DEADLINE_MS, probes);
      process.stderr.write(`, ${multiplier}×: goodput ${Math.round(result.okInTime / result.seconds)} calls/s`);
      phases.push([multiplier, result]);
    }
  } finally {
    for (const channel of channels) channel.close();
  }
  process.stderr.write("\n");
  return table(sustainable, getEmployee.servers, phases);
}

const fixed = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "—");

function table(sustainable: number, servers: readonly string[], phases: [number, OpenLoopResult][]): string[] {
  const admission = process.env.ADMISSION_MAX_LIMIT === "0" ? "off (ADMISSION_MAX_LIMIT=0)" : "on";
  const head = [
    ...["arrivals", "offered calls/s", "started calls/s", "goodput calls/s", "goodput / sustainable"],
    ...[
      "RESOURCE_EXHAUSTED %",
      "DEADLINE_EXCEEDED before work %",
      "DEADLINE_EXCEEDED in flight %",
      "other errors %",
      "OK too late %",
      "skipped arrivals",
    ],
    ...["server CPU %", "server RSS MB", "load process CPU %", `goodput ≥ ${TARGET} × sustainable`],
  ];
  const lines = [
    `## ${OVERLOAD_CASE}`,
    "",
    `- sustainable rate: ${fixed(sustainable)} calls/s (closed loop, ${CONCURRENCY} in flight); load shedding ${admission}`,
    `- then open-loop arrivals at ${MULTIPLIERS.join("× and ")}× that rate, ${SECONDS} s each, every call with a ${DEADLINE_MS} ms deadline (grpc-timeout and x-deadline-ms), no retries, from a bare HTTP/2 client (raw-grpc-client.ts) so that the load process can offer the rate`,
    "- goodput: calls answered OK within the deadline per second of arrivals; % of started calls; CPU over the arrivals and the wait for the last answers",
    "",
    `| ${head.join(" | ")} |`,
    `|${head.map((_, k) => (k === 0 ? "---" : "--:")).join("|")}|`,
  ];
  for (const [multiplier, r] of phases) {
    const percent = (n: number) => fixed((n / Math.max(1, r.sent)) * 100, 1);
    const errors = (code: string) => r.errors.get(code) ?? 0;
    const others = [...r.errors].reduce(
      (sum, [code, n]) => (code.startsWith("DEADLINE_EXCEEDED") || code === "RESOURCE_EXHAUSTED" ? sum : sum + n),
      0,
    );
    const serverCpu = servers.reduce((sum, s) => sum + (r.cpuMicros.get(s) ?? 0), 0);
    const ratio = r.okInTime / r.seconds / sustainable;
    lines.push(
      `| ${[
        `${multiplier}×`,
        fixed(multiplier * sustainable),
        fixed(r.sent / r.seconds),
        fixed(r.okInTime / r.seconds),
        fixed(ratio, 2),
        percent(errors("RESOURCE_EXHAUSTED")),
        percent(errors(SERVER_REFUSED_LATE)),
        percent(errors("DEADLINE_EXCEEDED")),
        percent(others),
        percent(r.okLate),
        String(r.skipped),
        fixed((serverCpu / (r.elapsedSeconds * 1e6)) * 100),
        fixed(Math.max(0, ...servers.map((s) => r.rssMb.get(s) ?? 0))),
        fixed((r.loadCpuMicros / (r.elapsedSeconds * 1e6)) * 100),
        ratio >= TARGET ? "met" : "**not met**",
      ].join(" | ")} |`,
    );
  }
  const firstOther = phases.map(([, r]) => r.firstOtherError).find((e) => e !== undefined);
  return [...lines, ...(firstOther ? ["", `First other error: ${firstOther}`] : []), ""];
}
