import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, type Tracer, trace } from "@opentelemetry/api";
import { ClientError, Status } from "nice-grpc-common";
import { type Event, payloadTypeOf } from "../events/envelope.js";

/**
 * Trace context across an event: the outbox row carries the `traceparent`
 * of the command that recorded it, and a consumer's handling is a child span
 * of that command (messaging's "process" span, parented rather than linked:
 * one event, one handling), so a flow across contexts reads as one trace,
 * from HR's call to the last notification. A redelivery is one more child.
 */
export function eventSpans(tracer: Tracer) {
  return {
    traceparent(): string {
      const now = context.active();
      if (trace.getSpan(now) === undefined) return "";
      const carrier: Record<string, string> = {};
      propagation.inject(now, carrier);
      return carrier.traceparent ?? "";
    },

    delivery<T>(event: Event, consumer: string, attempt: number, handle: () => Promise<T>): Promise<T> {
      const parent =
        event.traceparent === "" ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, { traceparent: event.traceparent });
      const type = payloadTypeOf(event);
      // Messaging attribute names are still incubating in the semantic conventions: written out.
      const attributes = {
        "messaging.operation.type": "process",
        "messaging.operation.name": "process",
        "messaging.consumer.group.name": consumer,
        "messaging.destination.name": event.stream,
        "messaging.message.id": event.eventId,
        "hr.event.type": type,
        "hr.event.attempt": attempt,
      };
      return tracer.startActiveSpan(`process ${type}`, { kind: SpanKind.CONSUMER, attributes }, parent, (span) =>
        handle().then(
          (result) => {
            span.end();
            return result;
          },
          (error: unknown) => {
            span.setStatus({ code: SpanStatusCode.ERROR, message: failureOf(error) });
            span.end();
            throw error;
          },
        ),
      );
    },
  };
}

/** What failed, without a message that may quote personal data: the gRPC code of a call, or the error's kind. */
export function failureOf(error: unknown): string {
  if (error instanceof ClientError) return Status[error.code];
  return error instanceof Error ? error.name : "error";
}
