import type { Any } from "../../generated/proto/google/protobuf/any.js";
import { Event } from "../../generated/proto/hr/events/v1/event.js";

export { Event };

const TYPE_URL_PREFIX = "type.googleapis.com/";

/** A domain event message ready for the envelope: its full protobuf name and its encoding. */
export interface DomainEvent {
  typeName: string;
  bytes: Uint8Array;
}

/**
 * A ts-proto message as a domain event: `domainEvent(EmployeeHired, {...})`.
 * ts-proto's codecs carry their full name as `$type` only with an option we
 * do not use, so the name is read from the generated file's package.
 */
export function domainEvent<T>(
  codec: { encode(message: T): { finish(): Uint8Array } },
  typeName: string,
  message: T,
): DomainEvent {
  return { typeName, bytes: codec.encode(message).finish() };
}

/** The payload's type URL, as google.protobuf.Any writes it. */
export function typeUrlOf(typeName: string): string {
  return `${TYPE_URL_PREFIX}${typeName}`;
}

/** The full message name of the event's payload ("hr.employee.v1.EmployeeHired"), or "" when it has none. */
export function payloadTypeOf(event: Event): string {
  const url = event.payload?.typeUrl ?? "";
  return url.slice(url.lastIndexOf("/") + 1);
}

/** The envelope's encoding, as stored in the outbox and carried by either transport. */
export function encodeEvent(event: Event): Uint8Array {
  return Event.encode(event).finish();
}

export function decodeEvent(bytes: Uint8Array): Event {
  return Event.decode(bytes);
}

/** The payload of an envelope as google.protobuf.Any. */
export function anyOf(payload: DomainEvent): Any {
  return { typeUrl: typeUrlOf(payload.typeName), value: Buffer.from(payload.bytes) };
}
