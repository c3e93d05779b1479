import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { ClientError, Status } from "nice-grpc";
import type { Probe } from "./cpu.js";
import { measuringStopped } from "./load.js";

// The open loop: calls start at a fixed arrival rate whatever happens to the
// ones before, as users' requests do (a closed loop slows down with the
// server and never overloads it). Memory stays bounded: only counters are
// kept, every call carries a deadline, and past MAX_OUTSTANDING calls in
// flight the generator skips arrivals (counted) instead of piling them up.

const TICK_MS = 2;
const MAX_OUTSTANDING = 10_000;

export interface OpenLoopResult {
  /** How long arrivals were generated. */
  seconds: number;
  /** That, plus the wait for the last answers: the window of the CPU figures. */
  elapsedSeconds: number;
  /** Calls started (skipped arrivals excluded). */
  sent: number;
  /** Arrivals not started because MAX_OUTSTANDING calls were in flight. */
  skipped: number;
  /** Answered OK within the deadline. */
  okInTime: number;
  /** Answered OK, but after the deadline (the client had given up on it). */
  okLate: number;
  /** Failures by status name. */
  errors: Map<string, number>;
  firstOtherError: string | undefined;
  /** The first refusal before work (how much time the call had left when the server looked at it). */
  firstLateRefusal: string | undefined;
  /** Largest RSS (MB) and CPU µs in the window, per probe name. */
  rssMb: Map<string, number>;
  cpuMicros: Map<string, number>;
  loadCpuMicros: number;
}

/** Starts `call` at `ratePerSecond` for `seconds`, then waits for the last answers (each bounded by `deadlineMs`). */
export async function openLoop(
  call: (i: number) => Promise<unknown>,
  ratePerSecond: number,
  seconds: number,
  deadlineMs: number,
  probes: readonly Probe[],
): Promise<OpenLoopResult> {
  const result: OpenLoopResult = {
    ...{
      seconds,
      elapsedSeconds: 0,
      sent: 0,
      skipped: 0,
      okInTime: 0,
      okLate: 0,
      errors: new Map(),
      firstOtherError: undefined,
      firstLateRefusal: undefined,
    },
    ...{ rssMb: new Map(probes.map((p) => [p.name, 0])), cpuMicros: new Map(), loadCpuMicros: 0 },
  };
  const sampleRss = () => {
    for (const p of probes) result.rssMb.set(p.name, Math.max(result.rssMb.get(p.name) ?? 0, p.rssMb()));
  };
  const cpuBefore = probes.map((p) => p.cpuMicros());
  const loadBefore = process.cpuUsage();
  const sampler = setInterval(sampleRss, 250);
  let outstanding = 0;
  const start = (i: number) => {
    const started = performance.now();
    outstanding++;
    call(i)
      .then(
        () => (performance.now() - started <= deadlineMs ? result.okInTime++ : result.okLate++),
        (error: unknown) => {
          const code = error instanceof ClientError ? codeOf(error) : "thrown";
          result.errors.set(code, (result.errors.get(code) ?? 0) + 1);
          if (code === SERVER_REFUSED_LATE) result.firstLateRefusal ??= (error as ClientError).details;
          if (!code.startsWith("RESOURCE_EXHAUSTED") && !code.startsWith("DEADLINE_EXCEEDED")) {
            result.firstOtherError ??= error instanceof Error ? error.message : String(error);
          }
        },
      )
      .finally(() => outstanding--);
  };

  const begin = performance.now();
  let arrivals = 0;
  try {
    while (!measuringStopped() && performance.now() - begin < seconds * 1000) {
      const due = Math.floor(((performance.now() - begin) / 1000) * ratePerSecond);
      for (; arrivals < due; arrivals++) {
        if (outstanding >= MAX_OUTSTANDING) result.skipped++;
        else start(result.sent++);
      }
      await sleep(TICK_MS);
    }
    while (outstanding > 0) await sleep(10);
  } finally {
    clearInterval(sampler);
  }
  result.elapsedSeconds = (performance.now() - begin) / 1000;
  sampleRss();
  probes.forEach((p, k) => {
    result.cpuMicros.set(p.name, p.cpuMicros() - (cpuBefore[k] ?? 0));
  });
  const load = process.cpuUsage(loadBefore);
  result.loadCpuMicros = load.user + load.system;
  return result;
}

/**
 * The status, telling a call the client held back, and a server's refusal
 * before any work (admission: "... ms left before the deadline ...") from a
 * deadline that passed in flight.
 */
function codeOf(error: ClientError): string {
  if (error.code === Status.RESOURCE_EXHAUSTED && error.details === HELD_BACK) return HELD_BACK;
  if (error.code !== Status.DEADLINE_EXCEEDED) return Status[error.code];
  return error.details.includes("left before the deadline") ? SERVER_REFUSED_LATE : "DEADLINE_EXCEEDED";
}

export const SERVER_REFUSED_LATE = "DEADLINE_EXCEEDED before work";
/** A call the client's own throttle held back: it was never sent. */
export const HELD_BACK = "RESOURCE_EXHAUSTED held back by the client";
