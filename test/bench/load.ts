import { performance } from "node:perf_hooks";
import { setImmediate as nextTurn } from "node:timers/promises";
import { readInt } from "../../runtime/config.js";
import { machineBusyMicros, type Probe } from "./cpu.js";
import { monotonicMicros } from "./profile-windows.js";

// The closed loop: CONCURRENCY workers (or a case's own number, 1 for the
// one-at-a-time cases) each keep one call in flight, first for a 1 s
// warm-up, then for SECONDS measured. The warm-up drains before the
// measured window opens, so the window's CPU and calls belong to it alone.

export const CONCURRENCY = readInt(process.env, "BENCH_CONCURRENCY", 64);
export const SECONDS = readInt(process.env, "BENCH_SECONDS", 5);
export const WARMUP_MS = 1000;
const RSS_SAMPLE_MS = 500;

let stopped = false;

/** Ends every running and later measurement at once (on Ctrl-C, before cleanup stops the servers). */
export function stopMeasuring(): void {
  stopped = true;
}

export function measuringStopped(): boolean {
  return stopped;
}

/** One call; `i` numbers calls across warm-up and window (never reused), `worker` is 0..concurrency-1. */
export type Call = (i: number, worker: number) => Promise<unknown>;

export interface Measured {
  calls: number;
  errors: number;
  firstError: string | undefined;
  seconds: number;
  p50: number;
  p99: number;
  /** CPU µs spent in the window, per probe name. */
  cpuMicros: Map<string, number>;
  /** Largest resident set (MB) seen during the window, per probe name. */
  rssMb: Map<string, number>;
  /** CPU µs of this (load) process in the window. */
  loadCpuMicros: number;
  /** CPU µs of the whole machine in the window: what is not ours was someone else's. */
  machineCpuMicros: number;
  /** The measured window's bounds on the monotonic clock (µs), to cut CPU profiles by (profile-windows.ts). */
  startUs: number;
  endUs: number;
}

export async function measure(call: Call, probes: readonly Probe[], concurrency = CONCURRENCY): Promise<Measured> {
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const run = async (ms: number, latencies: number[]) => {
    const end = performance.now() + ms;
    const worker = async (w: number) => {
      while (!stopped && performance.now() < end) {
        const start = performance.now();
        try {
          await call(next++, w);
          latencies.push(performance.now() - start);
        } catch (error) {
          errors++;
          firstError ??= error instanceof Error ? error.message : String(error);
          // A call that fails at once settles in a microtask: yield, or the loop starves timers and I/O.
          await nextTurn();
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  };
  await run(WARMUP_MS, []);
  if (stopped) throw new Error("stopped");
  errors = 0;
  firstError = undefined;

  const latencies: number[] = [];
  const rssMb = new Map(probes.map((p) => [p.name, 0]));
  const sampleRss = () => {
    for (const p of probes) rssMb.set(p.name, Math.max(rssMb.get(p.name) ?? 0, p.rssMb()));
  };
  const cpuBefore = probes.map((p) => p.cpuMicros());
  sampleRss();
  const loadBefore = process.cpuUsage();
  const machineBefore = machineBusyMicros();
  const started = performance.now();
  const startUs = monotonicMicros();
  const sampler = setInterval(sampleRss, RSS_SAMPLE_MS);
  try {
    await run(SECONDS * 1000, latencies);
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  const endUs = monotonicMicros();
  const load = process.cpuUsage(loadBefore);
  const machineCpuMicros = machineBusyMicros() - machineBefore;
  const cpuMicros = new Map(probes.map((p, k) => [p.name, p.cpuMicros() - (cpuBefore[k] ?? 0)]));
  sampleRss();

  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    ...{ calls: latencies.length, errors, firstError, seconds, p50: at(0.5), p99: at(0.99) },
    ...{ cpuMicros, rssMb, loadCpuMicros: load.user + load.system, machineCpuMicros, startUs, endUs },
  };
}
