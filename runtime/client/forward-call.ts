import { Metadata } from "nice-grpc";
import type { CallContext } from "nice-grpc-common";
import { AUTHORIZATION_HEADER, bearerTokenOf, incomingHop, REQUEST_ID_HEADER } from "./call-headers.js";
import { DEFAULT_CLIENT_POLICY } from "./client-policy.js";

/** Who makes a call and within what: the token, request id and deadline a call carries to the next hop. */
export interface CallerHop {
  /** The caller's bearer token; none for the few methods called without one (sign-in). */
  token?: string | undefined;
  /** Names the call in every hop's log lines; the server picks one when none is sent. */
  requestId?: string | undefined;
  /** When the call (and every call made for it downstream) gives up. */
  deadline?: Date | undefined;
  /** Cancels the call, e.g. when whoever waits for it has gone. */
  signal?: AbortSignal | undefined;
}

/** Call options carrying a hop: metadata with the token and request id, the deadline and the signal. */
export interface HopCallOptions {
  metadata: Metadata;
  signal?: AbortSignal;
  deadline?: Date;
}

/** Call options that make a call as `hop` says. */
export function callOptionsOf(hop: CallerHop): HopCallOptions {
  const metadata = Metadata();
  if (hop.token !== undefined) metadata.set(AUTHORIZATION_HEADER, `Bearer ${hop.token}`);
  if (hop.requestId !== undefined) metadata.set(REQUEST_ID_HEADER, hop.requestId);
  return {
    metadata,
    ...(hop.signal && { signal: hop.signal }),
    ...(hop.deadline && { deadline: hop.deadline }),
  };
}

/** The part of a platform server's call context a downstream call is made for (server/call-scope.ts fills it). */
export interface ServedCall {
  signal: AbortSignal;
  scope: { token: string | undefined; requestId: string; deadline: Date | undefined };
}

/**
 * Call options for a downstream call made while serving `context`: the same
 * caller token (or `token`, when the app calls under its own service
 * identity) and request id, what is left of the caller's deadline, and
 * cancellation when the caller goes away.
 */
export function forwardCall(
  context: ServedCall,
  token = context.scope.token,
): HopCallOptions & { signal: AbortSignal } {
  const { requestId, deadline } = context.scope;
  return { ...callOptionsOf({ token, requestId, deadline }), signal: context.signal };
}

/**
 * forwardCall for a server that is not built on the platform's runtime (an
 * application team's own nice-grpc server): the same, read straight from the
 * incoming call's metadata (its bearer token, request id and deadline
 * header), unless `token` says under which identity to call instead.
 */
export function forwardFrom(
  context: Pick<CallContext, "metadata" | "signal">,
  { token = bearerTokenOf(context.metadata.get(AUTHORIZATION_HEADER)) }: { token?: string | undefined } = {},
): HopCallOptions & { signal: AbortSignal } {
  const { requestId, deadline } = incomingHop(context.metadata, DEFAULT_CLIENT_POLICY.maxDeadlineMs);
  return { ...callOptionsOf({ token, requestId, deadline }), signal: context.signal };
}
