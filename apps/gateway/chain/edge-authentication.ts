import { Code, ConnectError } from "@connectrpc/connect";
import { type Caller, verifyCallerToken } from "../../../runtime/auth/caller.js";
import { VerifiedTokens } from "../../../runtime/auth/verified-tokens.js";
import type { AuthConfig } from "../../../runtime/config.js";
import type { ExposedMethod } from "../exposed-methods.js";

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]+)$/;

/** What a request's `authorization` header proved: nothing (no header), a verified caller, or a refusal. */
export type Credentials =
  | { kind: "none" }
  | { kind: "verified"; caller: Caller }
  | { kind: "refused"; message: string };

/**
 * Checks the caller's token at the edge with the same verification every
 * server makes (JWKS, algorithm, issuer, audience, lifetime, claim shapes),
 * so a call without a valid token never reaches an upstream: 401 here. The
 * token is verified once, before the body is read (the tenant chooses
 * the version: version-routing.ts), and judged when the method is known
 * (`callerOf`). It travels on unchanged: the upstream verifies it again,
 * for its own rules.
 */
export class EdgeAuthentication {
  private readonly tokens: VerifiedTokens;

  constructor(auth: AuthConfig) {
    this.tokens = new VerifiedTokens((token) => verifyCallerToken(token, auth));
  }

  /** Verifies the token the request presents, if any. */
  async present(authorization: string | undefined): Promise<Credentials> {
    if (authorization === undefined) return { kind: "none" };
    const token = BEARER.exec(authorization)?.[1];
    if (token === undefined) return { kind: "refused", message: "a bearer token is required" };
    try {
      return { kind: "verified", caller: await this.tokens.verify(token) };
    } catch {
      // Why a token failed is for the server's log, not for whoever presented it.
      return { kind: "refused", message: "the token is not valid" };
    }
  }
}

/**
 * The caller of `method`: the verified one, or undefined for a public
 * method (sign-in) called without a token. Anything else is 401, raised in
 * the protocol of the call. A token presented to a public method must be valid too.
 */
export function callerOf(method: Pick<ExposedMethod, "public">, credentials: Credentials): Caller | undefined {
  if (credentials.kind === "verified") return credentials.caller;
  if (credentials.kind === "none" && method.public) return undefined;
  const message = credentials.kind === "refused" ? credentials.message : "a bearer token is required";
  throw new ConnectError(message, Code.Unauthenticated);
}
