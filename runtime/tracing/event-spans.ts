import { context, propagation, ROOT_CONTEXT, SpanKind, type Tracer, trace } from "@opentelemetry/api";
import { type Event, payloadTypeOf } from "../events/envelope.js";
import { endedWith } from "./span-outcome.js";

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
        endedWith(span, handle()),
      );
    },
  };
}
