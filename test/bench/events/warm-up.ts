import { performance } from "node:perf_hooks";
import { CONCURRENCY, measuringStopped } from "../load.js";

/**
 * A freshly started people process needs seconds, not the closed loop's one,
 * before Hires run at their pace (measured here: 290 Hires/s in its first
 * window, 514/s in the next): the JIT, each pooled connection's prepared
 * statements, PostgreSQL's caches. Every process of the events section is
 * warmed so before it is measured, so the rows compared are alike.
 */
export const WARM_UP_MS = 3_000;

export async function warmUp(call: (i: number) => Promise<unknown>): Promise<void> {
  const end = performance.now() + WARM_UP_MS;
  let next = 0;
  const worker = async () => {
    while (!measuringStopped() && performance.now() < end) await call(next++);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}
