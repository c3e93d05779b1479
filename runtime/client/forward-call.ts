import { Metadata } from "nice-grpc";
import { AUTHORIZATION_HEADER, REQUEST_ID_HEADER, type ScopedContext } from "../server/call-scope.js";

/**
 * Call options for a downstream call made while serving `context`: the same
 * caller token (or `token`, when the app calls under its own service
 * identity) and request id, what is left of the caller's deadline, and
 * cancellation when the caller goes away.
 */
export function forwardCall(
  context: ScopedContext,
  token = context.scope.token,
): {
  metadata: Metadata;
  signal: AbortSignal;
  deadline?: Date;
} {
  const metadata = Metadata()
    .set(AUTHORIZATION_HEADER, `Bearer ${token ?? ""}`)
    .set(REQUEST_ID_HEADER, context.scope.requestId);
  const { deadline } = context.scope;
  return deadline ? { metadata, signal: context.signal, deadline } : { metadata, signal: context.signal };
}
