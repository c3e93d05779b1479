import { collectDefaultMetrics, Registry } from "prom-client";

// prom-client (15.1.3): the Prometheus client most Node services use; its
// default metrics (event loop lag, heap, GC, CPU, handles) come for free, and
// gauges read live state through `collect()` at scrape time, so nothing here
// runs on a timer or on a hot path beyond a counter's increment.

/** The process's one registry: every metric of runtime/ and apps/ is registered here, served at GET /metrics. */
export const registry = new Registry();

/**
 * Latency buckets in seconds, 1 ms to 30 s: a data service's read takes a
 * millisecond or two, the edge's default deadline is 12 s, and a call that
 * lived to its deadline lands in the last buckets.
 */
export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 12, 30];

let defaultsOn = false;

/** Node's own metrics (event loop lag, heap, GC pauses, CPU), once per process, when its metrics are served. */
export function collectNodeMetrics(): void {
  if (defaultsOn) return;
  defaultsOn = true;
  collectDefaultMetrics({ register: registry });
}

/** Seconds since `startedMs` (a `performance.now()` reading). */
export function secondsSince(startedMs: number): number {
  return (performance.now() - startedMs) / 1000;
}
