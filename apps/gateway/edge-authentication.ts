import { Code, ConnectError } from "@connectrpc/connect";
import { type Caller, verifyCallerToken } from "../../runtime/auth/caller.js";
import { VerifiedTokens } from "../../runtime/auth/verified-tokens.js";
import type { AuthConfig } from "../../runtime/config.js";
import type { ExposedMethod } from "./exposed-methods.js";

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]+)$/;

/**
 * Checks the caller's token at the edge with the same verification every
 * server makes (JWKS, algorithm, issuer, audience, lifetime, claim shapes),
 * so a call without a valid token never reaches an upstream: 401 here. A
 * public method (its rule says `public: true`) needs none. The token itself
 * travels on unchanged: the upstream verifies it again, for its own rules.
 */
export class EdgeAuthentication {
  private readonly tokens: VerifiedTokens;

  constructor(auth: AuthConfig) {
    this.tokens = new VerifiedTokens((token) => verifyCallerToken(token, auth));
  }

  /** The verified caller, or undefined for a public method called without a token. */
  async callerOf(method: ExposedMethod, authorization: string | null): Promise<Caller | undefined> {
    if (method.public && authorization === null) return undefined;
    const token = authorization === null ? undefined : BEARER.exec(authorization)?.[1];
    if (token === undefined) throw new ConnectError("a bearer token is required", Code.Unauthenticated);
    try {
      return await this.tokens.verify(token);
    } catch {
      // Why a token failed is for the server's log, not for whoever presented it.
      throw new ConnectError("the token is not valid", Code.Unauthenticated);
    }
  }
}
