import { Counter, Histogram } from "prom-client";
import { DEFAULT_TENANT_CLASS, NO_CALLER_CLASS } from "./metrics-config.js";
import { DURATION_BUCKETS, registry } from "./registry.js";

const calls = new Counter({
  name: "rpc_server_calls_total",
  help: "gRPC calls a server finished, by method, final code (DEADLINE_EXCEEDED or CANCELLED when the caller went away) and the caller's tenant class",
  labelNames: ["service_process", "method", "code", "tenant_class"] as const,
  registers: [registry],
});

const duration = new Histogram({
  name: "rpc_server_duration_seconds",
  help: "How long a gRPC server took to finish a call, by method and final code",
  labelNames: ["method", "code"] as const,
  buckets: DURATION_BUCKETS,
  registers: [registry],
});

let classes: ReadonlyMap<string, string> = new Map();

/** Sets the tenants' classes (TENANT_CLASSES), once at the process's start. */
export function useTenantClasses(tenantClasses: ReadonlyMap<string, string>): void {
  classes = tenantClasses;
}

/** A bounded label for a tenant: its configured class, `standard`, or `none` without a verified caller. */
export function tenantClassOf(tenantId: string | undefined): string {
  if (tenantId === undefined) return NO_CALLER_CLASS;
  return classes.get(tenantId) ?? DEFAULT_TENANT_CLASS;
}

/** One finished call as the call log saw it. */
export interface FinishedCall {
  method: string;
  /** The gRPC status code's name ("OK", "DEADLINE_EXCEEDED"). */
  code: string;
  seconds: number;
  tenantId: string | undefined;
}

/** Records the server's finished calls (runtime/server/call-log.ts tells them; admission its early refusals). */
export function serverCallMetrics(serviceProcess: string): (call: FinishedCall) => void {
  return ({ method, code, seconds, tenantId }) => {
    calls.inc({ service_process: serviceProcess, method, code, tenant_class: tenantClassOf(tenantId) });
    duration.observe({ method, code }, seconds);
  };
}
