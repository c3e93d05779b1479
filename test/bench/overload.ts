import { ClientError, Status } from "nice-grpc";
import {
  EmployeeServiceDefinition,
  GetEmployeeRequest,
} from "../../generated/proto/hr/employee/v1/employee_service.js";
import { isOverloadRefusal, OverloadThrottle, type ThrottlePolicy } from "../../runtime/client/overload-throttle.js";
import { readRuntimeConfig } from "../../runtime/server/runtime-config.js";
import type { Case } from "./cases/case.js";
import type { Probe } from "./cpu.js";
import { CONCURRENCY, measure, SECONDS } from "./load.js";
import { HELD_BACK, type OpenLoopResult, openLoop, SERVER_REFUSED_LATE } from "./open-loop.js";
import { monotonicMicros, noteWindow } from "./profile-windows.js";
import { grpcFrame, openRawChannel } from "./raw-grpc-client.js";

// The overload case: how much useful work people still does when asked for
// more than it can do. First its sustainable GetEmployee rate (the closed
// loop, CONCURRENCY in flight), then open-loop arrivals at MULTIPLIERS times
// that rate for SECONDS each, every call with a DEADLINE_MS deadline sent as
// our clients send it (x-deadline-ms). Goodput: answers OK within the
// deadline per second of arrivals. Each rate runs twice: from a client that
// sends every call (server-side shedding alone), and from one that throttles
// itself as the platform's clients do (runtime/client/overload-throttle.ts).

export const OVERLOAD_CASE = "Overload GetEmployee";
const MULTIPLIERS = [2, 4];
const DEADLINE_MS = 500;
/** Goodput over the sustainable rate the issue asks for, by multiple of that rate. */
const TARGETS = new Map([
  [2, 0.7],
  [4, 0.5],
]);

/** The section's lines, and the goodput over the sustainable rate of the client that sends all, by multiple. */
export interface OverloadResult {
  lines: string[];
  sendsAll: Map<number, number>;
}

/** One open-loop run: the arrival rate's multiple, and whether the client throttled itself. */
interface Phase {
  multiplier: number;
  throttle: ThrottlePolicy | undefined;
  result: OpenLoopResult;
}

/** Runs the case and returns its section of the report. */
export async function overloadSection(
  getEmployee: Case,
  peopleAddresses: readonly string[],
  authorization: string,
  employeeIds: readonly string[],
  probes: readonly Probe[],
  echoMicros: number,
): Promise<OverloadResult> {
  const closed = await measure(getEmployee.call, probes);
  noteWindow({ name: `${OVERLOAD_CASE}: closed loop`, ...closed });
  const sustainable = closed.calls / closed.seconds;
  const servedMicros = getEmployee.servers.reduce((sum, s) => sum + (closed.cpuMicros.get(s) ?? 0), 0) / closed.calls;
  process.stderr.write(`sustainable ${Math.round(sustainable)} calls/s`);
  const channels = peopleAddresses.map((address) => openRawChannel(address, { authorization }));
  const { fullName, methods } = EmployeeServiceDefinition;
  const path = `/${fullName}/${methods.getEmployee.name}`;
  const frames = employeeIds.map((id) => grpcFrame(GetEmployeeRequest.encode({ id }).finish()));
  const send = (i: number) =>
    channels[i % channels.length]!.unary(path, frames[(i * 7919) % frames.length]!, DEADLINE_MS);
  const clientThrottle = readRuntimeConfig().clientThrottle;
  const phases: Phase[] = [];
  try {
    for (const throttle of [undefined, clientThrottle.ratio > 0 ? clientThrottle : undefined]) {
      if (throttle === undefined && phases.length > 0) continue;
      for (const multiplier of MULTIPLIERS) {
        const call = throttle === undefined ? send : throttled(new OverloadThrottle(throttle), send);
        const startUs = monotonicMicros();
        const result = await openLoop(call, multiplier * sustainable, SECONDS, DEADLINE_MS, probes);
        const mode = throttle === undefined ? "" : " throttled";
        // Calls the server saw: what the client held back never reached it.
        const calls = result.sent - (result.errors.get(HELD_BACK) ?? 0);
        noteWindow({ name: `${OVERLOAD_CASE} ${multiplier}×${mode}`, calls, startUs, endUs: monotonicMicros() });
        process.stderr.write(
          `, ${multiplier}×${mode}: goodput ${Math.round(result.okInTime / result.seconds)} calls/s`,
        );
        phases.push({ multiplier, throttle, result });
      }
    }
  } finally {
    for (const channel of channels) channel.close();
  }
  process.stderr.write("\n");
  const sendsAll = new Map(
    phases
      .filter((p) => p.throttle === undefined)
      .map((p) => [p.multiplier, p.result.okInTime / p.result.seconds / sustainable]),
  );
  return { lines: table({ sustainable, servedMicros, echoMicros }, getEmployee.servers, phases), sendsAll };
}

/** `send`, behind the same throttle the platform's clients keep per channel. */
function throttled(throttle: OverloadThrottle, send: (i: number) => Promise<unknown>) {
  return async (i: number) => {
    if (!throttle.admit()) throw new ClientError("", Status.RESOURCE_EXHAUSTED, HELD_BACK);
    try {
      await send(i);
      throttle.answered(true);
    } catch (error) {
      throttle.answered(!isOverloadRefusal(error));
      throw error;
    }
  };
}

const fixed = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "—");

/** The closed loop's figures the phases are read against: its rate, its CPU per served call, the echo's. */
interface Baseline {
  sustainable: number;
  servedMicros: number;
  echoMicros: number;
}

/**
 * Server CPU per refused call, estimated: the phase's server CPU less its
 * answered calls at the closed loop's CPU per call, over the refused ones
 * (refusals by the server, not the client's throttle); none when refusals
 * are fewer than half the answers.
 */
function refusedMicros(r: OpenLoopResult, serverCpu: number, servedMicros: number): number {
  const refused = [...r.errors].reduce((sum, [code, n]) => (code === HELD_BACK ? sum : sum + n), 0);
  // Too few refusals to tell from the answered calls' share of the CPU.
  if (refused < (r.okInTime + r.okLate) / 2) return NaN;
  return (serverCpu - (r.okInTime + r.okLate) * servedMicros) / refused;
}

function table(
  { sustainable, servedMicros, echoMicros }: Baseline,
  servers: readonly string[],
  phases: Phase[],
): string[] {
  const admission = process.env.ADMISSION_MAX_LIMIT === "0" ? "off (ADMISSION_MAX_LIMIT=0)" : "on";
  const head = [
    ...["arrivals", "client", "offered calls/s", "sent calls/s", "goodput calls/s", "goodput / sustainable"],
    ...[
      "held back by the client %",
      "RESOURCE_EXHAUSTED %",
      "DEADLINE_EXCEEDED before work %",
      "DEADLINE_EXCEEDED in flight %",
      "other errors %",
      "OK too late %",
      "skipped arrivals",
    ],
    ...["server CPU %", "server CPU µs per refused call (est.)", "× echo", "server RSS MB", "load process CPU %"],
    "goodput target (× sustainable)",
  ];
  const lines = [
    `## ${OVERLOAD_CASE}`,
    "",
    `- sustainable rate: ${fixed(sustainable)} calls/s (closed loop, ${CONCURRENCY} in flight), ${fixed(servedMicros)} µs server CPU per call; load shedding ${admission}`,
    `- then open-loop arrivals at ${MULTIPLIERS.join("× and ")}× that rate, ${SECONDS} s each, every call with a ${DEADLINE_MS} ms deadline (grpc-timeout and x-deadline-ms), no retries, from a bare HTTP/2 client (raw-grpc-client.ts) so that the load process can offer the rate`,
    "- goodput: calls answered OK within the deadline per second of arrivals; % of started calls; CPU over the arrivals and the wait for the last answers",
    "- CPU per refused call (estimate): the phase's server CPU less its answered calls at the closed loop's CPU per call, over the calls the server refused; × echo: over the raw grpc-js echo's server CPU per call in this run",
    "",
    `| ${head.join(" | ")} |`,
    `|${head.map((_, k) => (k === 0 ? "---" : "--:")).join("|")}|`,
  ];
  for (const { multiplier, throttle, result: r } of phases) {
    const percent = (n: number) => fixed((n / Math.max(1, r.sent)) * 100, 1);
    const errors = (code: string) => r.errors.get(code) ?? 0;
    const others = [...r.errors].reduce(
      (sum, [code, n]) =>
        code.startsWith("DEADLINE_EXCEEDED") || code.startsWith("RESOURCE_EXHAUSTED") ? sum : sum + n,
      0,
    );
    const serverCpu = servers.reduce((sum, s) => sum + (r.cpuMicros.get(s) ?? 0), 0);
    const ratio = r.okInTime / r.seconds / sustainable;
    const perRefusal = refusedMicros(r, serverCpu, servedMicros);
    lines.push(
      `| ${[
        `${multiplier}×`,
        throttle === undefined ? "sends all" : `throttled (ratio ${throttle.ratio}, ${throttle.windowSeconds} s)`,
        fixed(multiplier * sustainable),
        fixed((r.sent - errors(HELD_BACK)) / r.seconds),
        fixed(r.okInTime / r.seconds),
        fixed(ratio, 2),
        percent(errors(HELD_BACK)),
        percent(errors("RESOURCE_EXHAUSTED")),
        percent(errors(SERVER_REFUSED_LATE)),
        percent(errors("DEADLINE_EXCEEDED")),
        percent(others),
        percent(r.okLate),
        String(r.skipped),
        fixed((serverCpu / (r.elapsedSeconds * 1e6)) * 100),
        fixed(perRefusal),
        fixed(perRefusal / echoMicros, 1),
        fixed(Math.max(0, ...servers.map((s) => r.rssMb.get(s) ?? 0))),
        fixed((r.loadCpuMicros / (r.elapsedSeconds * 1e6)) * 100),
        `≥ ${TARGETS.get(multiplier) ?? 0.5}: ${ratio >= (TARGETS.get(multiplier) ?? 0.5) ? "met" : "**not met**"}`,
      ].join(" | ")} |`,
    );
  }
  const firstOther = phases.map(({ result }) => result.firstOtherError).find((e) => e !== undefined);
  const late = phases.flatMap(({ multiplier, throttle, result }) =>
    result.firstLateRefusal ? [`- ${multiplier}×${throttle ? " throttled" : ""}: ${result.firstLateRefusal}`] : [],
  );
  return [
    ...lines,
    ...(firstOther ? ["", `First other error: ${firstOther}`] : []),
    ...(late.length
      ? ["", "First refusal before work of each phase (time left when the server looked at the call):", "", ...late]
      : []),
    "",
  ];
}
