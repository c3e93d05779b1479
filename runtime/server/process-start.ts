import type { Logger } from "pino";
import { KNOWN_VARIABLES } from "../../generated/config-variables.js";
import { declaredSlices, type Env, type RuntimeConfig, unknownVariables } from "../config.js";
import { type MetricsSettings, readMetricsSettings } from "../metrics/metrics-config.js";
import { startMetrics } from "../metrics/metrics-endpoint.js";
import type { ProcessName } from "../platform.js";
import { startTracing, traceLogFields } from "../tracing/tracing.js";
import { type OtlpProtocol, readTracingSettings } from "../tracing/tracing-config.js";
import { createLogger } from "./logger.js";
import { readRuntimeConfig } from "./runtime-config.js";

/** What a process starts with: the shared runtime configuration, its own settings and its logger. */
export interface ProcessStart<Settings> {
  config: RuntimeConfig;
  settings: Settings;
  logger: Logger;
}

/**
 * The start of every process: reads the runtime configuration and the
 * process's own settings (`readSettings`, from its slices). A malformed value
 * stops the process at once with one line naming the variable (no stack: it
 * is the operator's to fix, not a bug); a variable
 * with the platform's prefixes that no slice declares (a misspelt name) is
 * reported as a warning and otherwise ignored. Its Prometheus metrics are
 * served from here on (`<NAME>_METRICS_PORT`); with an OTLP endpoint set,
 * tracing starts too (runtime/tracing).
 */
export function startProcess<Settings>(
  name: ProcessName,
  readSettings: (env: Env) => Settings,
  env: Env = process.env,
): ProcessStart<Settings> {
  let config: RuntimeConfig;
  let settings: Settings;
  let metrics: MetricsSettings;
  let tracing: { protocol: OtlpProtocol } | undefined;
  try {
    config = readRuntimeConfig(env);
    settings = readSettings(env);
    metrics = readMetricsSettings(name, env);
    tracing = readTracingSettings(env);
  } catch (error) {
    // Reading configuration does nothing else: whatever fails here is a value
    // the process cannot start with, and its message says which.
    process.stderr.write(`${name} cannot start: ${(error as Error).message}\n`);
    process.exit(1);
  }
  // Traced, every log line written during a call names its trace.
  const logger = createLogger(name, config.logLevel, config.logFormat, tracing && traceLogFields);
  if (tracing) startTracing(name, tracing.protocol, logger);
  startMetrics(metrics, config.host, logger);
  const known = new Set([...KNOWN_VARIABLES, ...declaredSlices().flatMap((slice) => Object.keys(slice.schema.shape))]);
  const unknown = unknownVariables(env, known);
  if (unknown.length > 0) {
    logger.warn({ variables: unknown }, `unknown configuration variables, ignored (misspelt?): ${unknown.join(", ")}`);
  }
  return { config, settings, logger };
}
