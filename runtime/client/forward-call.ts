import { Metadata } from "nice-grpc";
import { AUTHORIZATION_HEADER, type AuthenticatedContext, REQUEST_ID_HEADER } from "../server/call-scope.js";

/**
 * Call options for a downstream call made while serving `context`: the same
 * caller token and request id, what is left of the caller's deadline, and
 * cancellation when the caller goes away.
 */
export function forwardCall(context: AuthenticatedContext): {
  metadata: Metadata;
  signal: AbortSignal;
  deadline?: Date;
} {
  const metadata = Metadata()
    .set(AUTHORIZATION_HEADER, `Bearer ${context.scope.token ?? ""}`)
    .set(REQUEST_ID_HEADER, context.scope.requestId);
  const { deadline } = context.scope;
  return deadline ? { metadata, signal: context.signal, deadline } : { metadata, signal: context.signal };
}
