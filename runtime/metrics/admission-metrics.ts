import { Counter } from "prom-client";
import { liveGauges } from "./live-sources.js";
import { registry } from "./registry.js";
import type { FinishedCall } from "./server-metrics.js";

const refusals = new Counter({
  name: "admission_refusals_total",
  help: "Business calls a server's load shedding refused, by method and reason: too_late (less time left than the method needs, DEADLINE_EXCEEDED) or overloaded (no slot in time, RESOURCE_EXHAUSTED)",
  labelNames: ["service_process", "method", "reason"] as const,
  registers: [registry],
});

const watchGate = liveGauges(["service_process"], {
  limit: {
    name: "admission_limit",
    help: "Business calls the server runs at once now (its adaptive concurrency limit)",
  },
  inFlight: { name: "admission_in_flight", help: "Business calls running now" },
  queued: { name: "admission_queued", help: "Business calls waiting for a slot now" },
});

/** Shows a server's admission gate (limit, in flight, queued) while it serves; returns how to stop showing it. */
export function watchAdmission(
  serviceProcess: string,
  state: () => { limit: number; inFlight: number; queued: number },
): () => void {
  return watchGate({ service_process: serviceProcess }, state);
}

/**
 * Counts a server's load-shedding refusals. One refused before
 * authentication (`early`) never reaches the call log, so it is counted as a
 * call here too, with no verified caller (tenant class `none`).
 */
export function admissionRefusals(serviceProcess: string, recordCall: (call: FinishedCall) => void) {
  return (method: string, reason: "tooLate" | "overloaded", early: boolean): void => {
    refusals.inc({ service_process: serviceProcess, method, reason: reason === "tooLate" ? "too_late" : "overloaded" });
    if (!early) return;
    const code = reason === "tooLate" ? "DEADLINE_EXCEEDED" : "RESOURCE_EXHAUSTED";
    recordCall({ method, code, seconds: 0, tenantId: undefined });
  };
}
