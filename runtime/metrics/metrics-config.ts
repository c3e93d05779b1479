import { z } from "zod";
import { configSlice, type Env, integer, type Variable } from "../config.js";
import { DEFAULT_PORTS, envPrefix, type ProcessName } from "../platform.js";

/**
 * Where each process serves its Prometheus metrics (GET /metrics, plain
 * HTTP) when its `<NAME>_METRICS_PORT` is unset: 9400 plus the last two
 * digits of its own port (people 50051 → 9451, the gateway 8080 → 9480), a
 * block below Linux's ephemeral ports, so a restart never finds its port
 * taken by a client socket. `npm start` passes each process its own.
 */
export const DEFAULT_METRICS_PORTS = Object.fromEntries(
  Object.entries(DEFAULT_PORTS).map(([name, port]) => [name, 9400 + (port % 100)]),
) as Record<ProcessName, number>;

const metricsPortVariables = Object.fromEntries(
  Object.entries(DEFAULT_METRICS_PORTS).map(([name, port]) => {
    const variable = `${envPrefix(name as ProcessName)}_METRICS_PORT`;
    const meaning = "HTTP port of the process's Prometheus metrics (`GET /metrics`); `0` turns them off";
    return [name, configSlice(`${name}, npm start`, { [variable]: integer(port, meaning) })];
  }),
);

/** The metrics port of one process; 0: none served. */
export function metricsPortOf(name: ProcessName, env: Env = process.env): number {
  return metricsPortVariables[name]?.read(env)[`${envPrefix(name)}_METRICS_PORT`] as number;
}

/** A tenant's class in metric labels: a few words an operator chooses, never the tenant's id. */
const CLASS = /^[a-z][a-z0-9_]{0,31}$/;
/** Labels the platform gives itself: calls with no verified caller, and tenants no rule names. */
export const NO_CALLER_CLASS = "none";
export const DEFAULT_TENANT_CLASS = "standard";

const tenantClasses: Variable<ReadonlyMap<string, string>> = z
  .string()
  .optional()
  .transform((raw, context) => {
    const classes = new Map<string, string>();
    for (const entry of (raw ?? "").split(",").map((part) => part.trim())) {
      if (entry === "") continue;
      const [tenant = "", tenantClass = "", ...rest] = entry.split("=").map((part) => part.trim());
      if (tenant === "" || !CLASS.test(tenantClass) || tenantClass === NO_CALLER_CLASS || rest.length > 0) {
        context.addIssue({
          code: "custom",
          message: `must list tenant=class pairs (a class in lower case letters, digits and _, not "${NO_CALLER_CLASS}"), at "${entry}"`,
        });
        return z.NEVER;
      }
      classes.set(tenant, tenantClass);
    }
    return classes;
  })
  .meta({
    description: `the class of each named tenant in metric labels (\`tenant_class\`), e.g. \`acme=enterprise,globex=enterprise\`; every other tenant is \`${DEFAULT_TENANT_CLASS}\`, a call with no verified caller \`${NO_CALLER_CLASS}\`. A tenant's id is never a label`,
    fallback: undefined,
  });

export const metricsVariables = configSlice("all servers", { TENANT_CLASSES: tenantClasses });

/** What a process's metrics need from its environment. */
export interface MetricsSettings {
  port: number;
  tenantClasses: ReadonlyMap<string, string>;
}

export function readMetricsSettings(name: ProcessName, env: Env = process.env): MetricsSettings {
  return { port: metricsPortOf(name, env), tenantClasses: metricsVariables.read(env).TENANT_CLASSES };
}
