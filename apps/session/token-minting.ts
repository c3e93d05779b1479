import { decodeJwt } from "jose";
import type { Tokens } from "../../generated/proto/hr/session/v1/session_service.js";
import type { Caller } from "../../runtime/auth/caller.js";
import { issueCallerToken, type TokenSigner } from "../../runtime/auth/token-signer.js";
import { forwardCall } from "../../runtime/client/forward-call.js";
import type { AuthConfig } from "../../runtime/config.js";
import type { ScopedContext } from "../../runtime/server/call-scope.js";
import type { RefreshToken } from "./refresh-tokens.js";

/** The identity the app calls identity under: its own role, in the tenant of the sign-in. */
export const SESSION_APP_SUBJECT = "session-app";
export const SESSION_APP_ROLE = "session_service";
/** The app's own tokens serve one downstream call: a minute is plenty. */
const SERVICE_TOKEN_SECONDS = 60;

/** What the app signs: access tokens for people, and its own service tokens. */
export class TokenMinting {
  constructor(
    private readonly signer: TokenSigner,
    private readonly auth: AuthConfig,
    private readonly accessTokenSeconds: number,
  ) {}

  /** Call options for a call to identity while serving `context`, under the app's service identity. */
  async asSessionApp(context: ScopedContext, tenantId: string) {
    const app: Caller = { tenantId, userId: SESSION_APP_SUBJECT, roles: [SESSION_APP_ROLE] };
    return forwardCall(context, await issueCallerToken(app, this.signer, this.auth, SERVICE_TOKEN_SECONDS));
  }

  /** The tokens of a sign-in: a fresh access token for `caller`, and the sign-in's refresh token. */
  async tokensFor(caller: Caller, refresh: RefreshToken, sessionExpireTime: Date | undefined): Promise<Tokens> {
    const accessToken = await issueCallerToken(caller, this.signer, this.auth, this.accessTokenSeconds);
    return {
      accessToken,
      accessTokenExpireTime: new Date(Number(decodeJwt(accessToken).exp) * 1000),
      refreshToken: refresh.token,
      refreshTokenExpireTime: sessionExpireTime,
    };
  }
}
