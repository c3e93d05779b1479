import type { IncomingMessage, ServerResponse } from "node:http";
import type { ClientMiddleware, ServerMiddleware } from "nice-grpc-common";
import type { Event } from "../events/envelope.js";

/**
 * Where the platform makes spans: the gRPC servers and clients, the
 * gateway's HTTP edge, the SQL layer, the outbox and the event consumers
 * (through tracing.ts, which they call whatever the configuration). Tracing
 * is on only when an OTLP endpoint is configured (tracing-config.ts); then
 * open-telemetry.ts, imported at start, implements this.
 */
export interface Tracing {
  /** A server span per business call, continuing the caller's `traceparent`. */
  serverCall: ServerMiddleware;
  /** A client span per attempt, its `traceparent` sent with the call. */
  clientCall: ClientMiddleware;
  httpRequest(request: IncomingMessage, response: ServerResponse, requestId: string, serve: () => void): void;
  statement<T>(text: string, target: object, run: () => Promise<T>): Promise<T>;
  traceparent(): string;
  delivery<T>(event: Event, consumer: string, attempt: number, handle: () => Promise<T>): Promise<T>;
  newTrace<T>(name: string, attributes: Record<string, string>, work: () => Promise<T>): Promise<T>;
  detached<T>(work: () => T): T;
  logFields(): object;
  stop(): Promise<void>;
}
