import { randomUUID } from "node:crypto";
import type { Metadata } from "nice-grpc-common";

// The metadata that crosses every hop, and how the receiving side reads it.
// Servers (runtime/server) and clients (here, and the client package built
// from this folder) import it from here, so the client package carries no
// server code.

/** The request id that names one call across every hop, in logs. */
export const REQUEST_ID_HEADER = "x-request-id";
/**
 * Absolute deadline of the original call in epoch milliseconds. gRPC's own
 * `grpc-timeout` header is consumed by grpc-js and not exposed by nice-grpc's
 * CallContext, so the client factory sends the deadline in this header too and
 * the next hop passes on what is left of it.
 */
export const DEADLINE_HEADER = "x-deadline-ms";
export const AUTHORIZATION_HEADER = "authorization";

/** A longer request id is not taken as given: it would bloat every log line. */
const MAX_REQUEST_ID_LENGTH = 128;
const BEARER = /^Bearer\s+(\S+)$/i;

/** What a server learns of the caller's hop from its metadata. */
export interface IncomingHop {
  /** The caller's request id, or a fresh one when it sent none (or one too long). */
  requestId: string;
  /** The caller's deadline, capped to `maxDeadlineMs` from now; undefined when it sent none. */
  deadline: Date | undefined;
}

export function incomingHop(metadata: Metadata, maxDeadlineMs: number): IncomingHop {
  const given = metadata.get(REQUEST_ID_HEADER);
  const requestId = given && given.length <= MAX_REQUEST_ID_LENGTH ? given : randomUUID();
  const deadlineMs = Number(metadata.get(DEADLINE_HEADER));
  const deadline =
    Number.isFinite(deadlineMs) && deadlineMs > 0
      ? new Date(Math.min(deadlineMs, Date.now() + maxDeadlineMs))
      : undefined;
  return { requestId, deadline };
}

/** The token of an `authorization: Bearer <token>` value, or undefined. */
export function bearerTokenOf(authorization: string | undefined): string | undefined {
  return BEARER.exec(authorization ?? "")?.[1];
}
