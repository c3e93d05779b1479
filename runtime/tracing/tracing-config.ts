import { ConfigError, configSlice, type Env, text } from "../config.js";

/**
 * OpenTelemetry's own variables, as every OpenTelemetry SDK reads them: an
 * OTLP endpoint turns tracing on. The SDK also reads the standard variables
 * not listed here itself (OTEL_EXPORTER_OTLP_HEADERS, OTEL_TRACES_SAMPLER,
 * OTEL_BSP_SCHEDULE_DELAY, OTEL_RESOURCE_ATTRIBUTES...): see docs/tracing.md.
 */
export const tracingVariables = configSlice("all processes (runtime/tracing)", {
  OTEL_EXPORTER_OTLP_ENDPOINT: text(
    undefined,
    "OTLP/HTTP receiver that traces are sent to (e.g. `http://127.0.0.1:4318`, `/v1/traces` is added); unset (and no `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`): no trace is made, no tracing code is loaded",
  ),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: text(
    undefined,
    "the full URL traces are sent to, taken as it is; wins over `OTEL_EXPORTER_OTLP_ENDPOINT`",
  ),
  OTEL_EXPORTER_OTLP_PROTOCOL: text(
    "http/protobuf",
    "how traces are encoded: `http/protobuf` or `http/json` (`grpc` is not supported: OTLP receivers take HTTP too, on 4318)",
  ),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: text(
    undefined,
    "the same for traces only; wins over `OTEL_EXPORTER_OTLP_PROTOCOL`",
  ),
  OTEL_SDK_DISABLED: text("false", "`true`: no trace is made even with an endpoint set"),
});

/** How traces are encoded on their way to the receiver. */
export type OtlpProtocol = "http/protobuf" | "http/json";

/** Whether this process traces, and how it exports; undefined: it does not (nothing is loaded). */
export function readTracingSettings(env: Env = process.env): { protocol: OtlpProtocol } | undefined {
  const v = tracingVariables.read(env);
  const endpoint = v.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? v.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (endpoint === undefined || v.OTEL_SDK_DISABLED.trim().toLowerCase() === "true") return undefined;
  const scheme = URL.canParse(endpoint) ? new URL(endpoint).protocol : undefined;
  if (scheme !== "http:" && scheme !== "https:") {
    const name = v.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
      ? "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
      : "OTEL_EXPORTER_OTLP_ENDPOINT";
    throw new ConfigError(`${name} must be an http(s) URL such as http://127.0.0.1:4318, got "${endpoint}"`);
  }
  const protocol = v.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? v.OTEL_EXPORTER_OTLP_PROTOCOL;
  if (protocol !== "http/protobuf" && protocol !== "http/json") {
    const name = v.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL
      ? "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
      : "OTEL_EXPORTER_OTLP_PROTOCOL";
    throw new ConfigError(`${name} must be http/protobuf or http/json, got "${protocol}"`);
  }
  return { protocol };
}
