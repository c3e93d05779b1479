import { ServerError, type ServerMiddlewareCall, Status } from "nice-grpc-common";
import { type Caller, verifyCallerToken } from "../auth/caller.js";
import { TokenRefused } from "../auth/token-times.js";
import { VerifiedTokens } from "../auth/verified-tokens.js";
import { AUTHORIZATION_HEADER, bearerTokenOf } from "../client/call-headers.js";
import type { AuthConfig } from "../config.js";
import type { ScopedContext } from "./call-scope.js";

/**
 * The longest authorization value looked at: our tokens carry a few short
 * claims (well under 2 KiB). A longer one is refused before it is parsed,
 * decoded or verified, so a huge token costs no signature check.
 */
export const MAX_AUTHORIZATION_BYTES = 8 * 1024;

/**
 * Requires a valid signed caller token in the `authorization` metadata and
 * exposes the verified caller as `context.caller`. Tenant and user never come
 * from request fields. Any missing or bad token is UNAUTHENTICATED, with one
 * uniform message so callers learn nothing about why; the call's log line
 * names the stable reason (scope.refusal). A token too large to be ours says
 * so: its size is no secret.
 */
export function authentication(config: AuthConfig) {
  const tokens = new VerifiedTokens((token) => verifyCallerToken(token, config));
  return async function* authenticationMiddleware<Request, Response>(
    call: ServerMiddlewareCall<Request, Response, { caller: Caller }>,
    context: ScopedContext,
  ) {
    const header = context.metadata.get(AUTHORIZATION_HEADER) ?? "";
    if (header.length > MAX_AUTHORIZATION_BYTES) {
      context.scope.refusal = "TOKEN_TOO_LARGE";
      throw new ServerError(
        Status.UNAUTHENTICATED,
        `the bearer token is larger than the ${MAX_AUTHORIZATION_BYTES} bytes accepted`,
      );
    }
    const token = bearerTokenOf(header);
    if (token === undefined) throw new ServerError(Status.UNAUTHENTICATED, "a bearer token is required");
    let caller: Caller;
    try {
      caller = await tokens.verify(token);
    } catch (error) {
      context.scope.refusal = error instanceof TokenRefused ? error.reason : "TOKEN_SIGNATURE_OR_CLAIMS_INVALID";
      throw new ServerError(Status.UNAUTHENTICATED, "the bearer token is not valid");
    }
    context.scope.caller = caller;
    context.scope.token = token;
    return yield* call.next(call.request, { ...context, caller });
  };
}
