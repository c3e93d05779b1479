import { Counter, Histogram } from "prom-client";
import { liveGauges } from "./live-sources.js";
import { DURATION_BUCKETS, registry } from "./registry.js";

/** The route label of every path the edge does not route (docs pages, unknown paths, probes of scanners). */
export const OTHER_ROUTE = "other";

const requests = new Counter({
  name: "http_requests_total",
  help: "HTTP requests the edge answered, by route (the method path the client asked, or `other`) and status (499: the client went away first)",
  labelNames: ["route", "status"] as const,
  registers: [registry],
});

const duration = new Histogram({
  name: "http_request_duration_seconds",
  help: "How long the edge took to answer an HTTP request, by route and status",
  labelNames: ["route", "status"] as const,
  buckets: DURATION_BUCKETS,
  registers: [registry],
});

const limited = new Counter({
  name: "http_rate_limit_refusals_total",
  help: "Requests the edge refused (429) over a rate limit, by the limit's reason (ADDRESS_RATE_LIMITED, CALLER_RATE_LIMITED, ...)",
  labelNames: ["reason"] as const,
  registers: [registry],
});

/** cockatiel's circuit states, as labels. */
const CIRCUIT_STATES = ["closed", "open", "half_open", "isolated"] as const;
export type CircuitStateName = (typeof CIRCUIT_STATES)[number];

const watchCircuits = liveGauges(["upstream", "state"], {
  current: {
    name: "http_upstream_circuit_state",
    help: "The circuit breaker of each upstream: 1 for the state it is in (closed, open, half_open, isolated), 0 for the others",
  },
});

/**
 * Records each answered request under its route: the path when `isRoute`
 * says the edge routes it (bounded by the contracts it serves), else
 * `other`, so a client cannot make up label values.
 */
export function edgeRequestMetrics(isRoute: (path: string) => boolean) {
  return (path: string | undefined, status: number, durationMs: number): void => {
    const labels = { route: path !== undefined && isRoute(path) ? path : OTHER_ROUTE, status: String(status) };
    requests.inc(labels);
    duration.observe(labels, durationMs / 1000);
  };
}

/** Counts one rate-limit refusal. */
export function countRateLimited(reason: string): void {
  limited.inc({ reason });
}

/** Shows the circuit state of each upstream while the edge routes to it; returns how to stop. */
export function watchUpstreamCircuits(
  upstreams: readonly { name: string; state: () => CircuitStateName }[],
): () => void {
  const unwatch = upstreams.flatMap(({ name, state }) =>
    CIRCUIT_STATES.map((one) =>
      watchCircuits({ upstream: name, state: one }, () => ({ current: state() === one ? 1 : 0 })),
    ),
  );
  return () => {
    for (const stop of unwatch) stop();
  };
}
