import { hostname } from "node:os";
import { context, DiagLogLevel, diag, ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtobufExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import {
  ATTR_SERVICE_INSTANCE_ID,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_NAMESPACE,
} from "@opentelemetry/semantic-conventions";
import type { Logger } from "pino";
import { eventSpans } from "./event-spans.js";
import { grpcSpans } from "./grpc-spans.js";
import { httpSpans } from "./http-spans.js";
import { endedWith } from "./span-outcome.js";
import { sqlSpans } from "./sql-spans.js";
import type { OtlpProtocol } from "./tracing-config.js";
import type { Tracing } from "./tracing-points.js";

// Loaded only when tracing is on (tracing.ts imports it at start): the SDK
// costs about 0.2 s of start-up per process, spent for nothing otherwise.
// Explicit spans at the platform's own few chokepoints (the gRPC middleware
// chains, the HTTP edge, the SQL layer, the outbox and the consumers) rather
// than auto-instrumentation: that patches modules through loader hooks, which
// under ESM need `node --import` on every way a process is started (the
// launcher, tsx, a container), and does its work even for calls no one traces.

/**
 * Starts the OpenTelemetry SDK for this process: spans batched and exported
 * over OTLP/HTTP to the endpoint the standard variables name, W3C trace
 * context as the propagator, and `service.name` the process's own name
 * (`npm start` gives every process the same environment, so
 * OTEL_SERVICE_NAME would name them all alike).
 */
export function openTelemetry(service: string, protocol: OtlpProtocol, logger: Logger): Tracing {
  diag.setLogger(diagnostics(logger), DiagLogLevel.WARN);
  const exporter = protocol === "http/json" ? new JsonExporter() : new ProtobufExporter();
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAMESPACE]: "hr-platform" }))
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(
      resourceFromAttributes({
        [ATTR_SERVICE_NAME]: service,
        [ATTR_SERVICE_INSTANCE_ID]: `${hostname()}/${process.pid}`,
      }),
    );
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] });
  // Registers the provider, AsyncLocalStorage as the context manager and the W3C propagators.
  provider.register();
  const tracer = trace.getTracer("hr-platform");
  const events = eventSpans(tracer);
  return {
    ...grpcSpans(),
    httpRequest: httpSpans(tracer),
    statement: sqlSpans(tracer),
    traceparent: events.traceparent,
    delivery: events.delivery,
    newTrace: (name, attributes, work) =>
      tracer.startActiveSpan(name, { kind: SpanKind.INTERNAL, root: true, attributes }, ROOT_CONTEXT, (span) =>
        endedWith(span, work()),
      ),
    detached: (work) => context.with(ROOT_CONTEXT, work),
    logFields: () => {
      const span = trace.getSpan(context.active())?.spanContext();
      return span?.traceFlags ? { traceId: span.traceId, spanId: span.spanId } : {};
    },
    stop: () => provider.shutdown(),
  };
}

/** OpenTelemetry's own complaints (an export that failed) as the process's log lines. */
function diagnostics(logger: Logger) {
  const warn = (message: string, ...args: unknown[]) => logger.warn({ detail: args.map(String) }, message);
  const quiet = () => {};
  return { error: warn, warn, info: quiet, debug: quiet, verbose: quiet };
}
