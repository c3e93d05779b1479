import { ServerError, type ServerMiddlewareCall, Status } from "nice-grpc-common";
import { type Caller, verifyCallerToken } from "../auth/caller.js";
import { VerifiedTokens } from "../auth/verified-tokens.js";
import type { AuthConfig } from "../config.js";
import { AUTHORIZATION_HEADER, type ScopedContext } from "./call-scope.js";

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Requires a valid signed caller token in the `authorization` metadata and
 * exposes the verified caller as `context.caller`. Tenant and user never come
 * from request fields. Any missing or bad token is UNAUTHENTICATED, with one
 * uniform message so callers learn nothing about why.
 */
export function authentication(config: AuthConfig) {
  const tokens = new VerifiedTokens((token) => verifyCallerToken(token, config));
  return async function* authenticationMiddleware<Request, Response>(
    call: ServerMiddlewareCall<Request, Response, { caller: Caller }>,
    context: ScopedContext,
  ) {
    const token = BEARER.exec(context.metadata.get(AUTHORIZATION_HEADER) ?? "")?.[1];
    if (token === undefined) throw new ServerError(Status.UNAUTHENTICATED, "a bearer token is required");
    let caller: Caller;
    try {
      caller = await tokens.verify(token);
    } catch {
      throw new ServerError(Status.UNAUTHENTICATED, "the bearer token is not valid");
    }
    context.scope.caller = caller;
    context.scope.token = token;
    return yield* call.next(call.request, { ...context, caller });
  };
}
