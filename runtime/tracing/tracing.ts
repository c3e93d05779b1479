import type { IncomingMessage, ServerResponse } from "node:http";
import type { ClientMiddleware, ServerMiddleware } from "nice-grpc-common";
import type { Logger } from "pino";
import type { Event } from "../events/envelope.js";
import type { OtlpProtocol } from "./tracing-config.js";
import type { Tracing } from "./tracing-points.js";

// The process's traces, seen from the code that makes them (tracing-points.ts
// says where): each function below costs one check of a variable when tracing
// is off, and OpenTelemetry is loaded only when it is on.

let active: Tracing | undefined;
let started: Promise<void> = Promise.resolve();

/**
 * Loads OpenTelemetry and starts exporting this process's spans as
 * `service` (tracing-config.ts decided it is on). A failure to load leaves
 * the process untraced and says so: traces are no reason to refuse calls.
 */
export function startTracing(service: string, protocol: OtlpProtocol, logger: Logger): void {
  started = import("./open-telemetry.js").then(
    ({ openTelemetry }) => {
      active = openTelemetry(service, protocol, logger);
      logger.info({ protocol }, "tracing on: spans exported over OTLP");
    },
    (error: unknown) => logger.error({ err: error }, "tracing could not start: this process is not traced"),
  );
}

/** Resolves once tracing is on, or known to be off: servers await it before they take calls. */
export function tracingStarted(): Promise<void> {
  return started;
}

/** How long a stopping process waits for its last spans to be sent: an unreachable receiver does not hold the stop. */
const FLUSH_MS = 2_000;

/** Sends the spans still buffered, then stops; called last on shutdown, and never fails it. */
export async function stopTracing(): Promise<void> {
  await started;
  const stopping = active?.stop().catch(() => {});
  active = undefined;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([stopping, new Promise((resolve) => (timer = setTimeout(resolve, FLUSH_MS)))]);
  clearTimeout(timer);
}

/** Server middleware: a span per business call (health and reflection are never traced). */
export const tracedServerCalls: ServerMiddleware = (call, context) =>
  active ? active.serverCall(call, context) : call.next(call.request, context);

/** Client middleware: a span per attempt, and its trace context sent as `traceparent`. */
export const tracedClientCalls: ClientMiddleware = (call, options) =>
  active ? active.clientCall(call, options) : call.next(call.request, options);

/** Runs `serve` for an HTTP request inside a server span that continues the caller's `traceparent`, if any. */
export function tracedHttpRequest(
  request: IncomingMessage,
  response: ServerResponse,
  requestId: string,
  serve: () => void,
): void {
  if (active) active.httpRequest(request, response, requestId, serve);
  else serve();
}

/** Runs one SQL statement (`target`: the pg pool or client) in a span, when it runs inside a trace. */
export function tracedStatement<T>(text: string, target: object, run: () => Promise<T>): Promise<T> {
  return active ? active.statement(text, target, run) : run();
}

/** The `traceparent` of the work running now, for an event it records; "" outside a trace. */
export function currentTraceparent(): string {
  return active ? active.traceparent() : "";
}

/** Runs a consumer's handling of `event` in a span that continues the trace of the command that recorded it. */
export function tracedDelivery<T>(event: Event, consumer: string, attempt: number, handle: () => Promise<T>) {
  return active ? active.delivery(event, consumer, attempt, handle) : handle();
}

/** Runs background `work` as a trace of its own, named `name`. */
export function inNewTrace<T>(name: string, attributes: Record<string, string>, work: () => Promise<T>): Promise<T> {
  return active ? active.newTrace(name, attributes, work) : work();
}

/**
 * Runs `work` outside the trace of the call that started it: a loop a call
 * merely wakes (a timer it arms, a promise chain it extends) would otherwise
 * put every later pass in that call's trace.
 */
export function detachedFromTrace<T>(work: () => T): T {
  return active ? active.detached(work) : work();
}

const NO_FIELDS = {};

/** The trace and span ids of the work running now, for a log line; none when untraced. */
export function traceLogFields(): object {
  return active ? active.logFields() : NO_FIELDS;
}
