import { performance } from "node:perf_hooks";
import { setImmediate as nextTurn } from "node:timers/promises";
import { CONCURRENCY, measuringStopped } from "../load.js";

/**
 * A freshly started people process needs seconds, not the closed loop's one,
 * before Hires run at their pace (measured here: 290 Hires/s in its first
 * window, 514/s in the next): the JIT, each pooled connection's prepared
 * statements, PostgreSQL's caches. Every process of the events section is
 * warmed so before it is measured, so the rows compared are alike.
 */
export const WARM_UP_MS = 3_000;

/** Keeps the bench's concurrency of `call` in flight for WARM_UP_MS; a refused call (load shedding) is only waited past. */
export async function warmUp(call: (i: number) => Promise<unknown>): Promise<void> {
  const end = performance.now() + WARM_UP_MS;
  let next = 0;
  const worker = async () => {
    while (!measuringStopped() && performance.now() < end) {
      // A call that fails at once settles in a microtask: yield, or the loop starves timers and I/O.
      await call(next++).catch(() => nextTurn());
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}
