import type { CallContext } from "nice-grpc-common";
import type { Caller } from "../auth/caller.js";

/** Metadata keys that cross every hop. */
export const REQUEST_ID_HEADER = "x-request-id";
/**
 * Absolute deadline of the original call in epoch milliseconds. gRPC's own
 * `grpc-timeout` header is consumed by grpc-js and not exposed by nice-grpc's
 * CallContext, so the client factory sends the deadline in this header too and
 * the next hop passes on what is left of it.
 */
export const DEADLINE_HEADER = "x-deadline-ms";
export const AUTHORIZATION_HEADER = "authorization";

/** What one call carries through the middleware chain: filled in as it is learned. */
export interface CallScope {
  requestId: string;
  deadline: Date | undefined;
  /** Set once the token is verified. */
  caller: Caller | undefined;
  /** The raw bearer token, forwarded unchanged to the next hop. */
  token: string | undefined;
  /** Why the call's token was refused (a stable reason for the log line; the caller is told nothing). */
  refusal?: string;
}

export type ScopedContext = CallContext & { scope: CallScope };
/** The context every business handler receives: the caller is always verified. */
export type AuthenticatedContext = ScopedContext & { caller: Caller };
