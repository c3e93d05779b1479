import { randomBytes } from "node:crypto";
import { context, ROOT_CONTEXT, TraceFlags, trace } from "@opentelemetry/api";
import type { ClientMiddleware, ServerMiddleware } from "nice-grpc-common";
// nice-grpc-opentelemetry (nice-grpc's own project) makes the spans of a call and carries
// `traceparent` in its metadata, with the semantic conventions' rpc attributes and status.
import { openTelemetryClientMiddleware, openTelemetryServerMiddleware } from "nice-grpc-opentelemetry";

/** Health and reflection (`grpc.*`): probes every few seconds, never worth a trace. */
const INFRASTRUCTURE = "/grpc.";

/**
 * The spans of gRPC calls. A call made outside any trace (a background
 * poll) is sent as not sampled, so that the server it reaches does not start
 * a trace of its own for it either: background work is traced only where
 * the code says so (inNewTrace), never a trace per poll.
 */
export function grpcSpans(): { serverCall: ServerMiddleware; clientCall: ClientMiddleware } {
  const server = openTelemetryServerMiddleware();
  const client = openTelemetryClientMiddleware();
  return {
    serverCall: (call, callContext) =>
      call.method.path.startsWith(INFRASTRUCTURE) ? call.next(call.request, callContext) : server(call, callContext),
    clientCall: (call, options) =>
      trace.getSpan(context.active()) ? client(call, options) : context.with(notSampled(), () => client(call, options)),
  };
}

/** A context whose trace is not sampled: spans under it record nothing, and say so downstream. */
function notSampled() {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: randomBytes(16).toString("hex"),
    spanId: randomBytes(8).toString("hex"),
    traceFlags: TraceFlags.NONE,
  });
}
