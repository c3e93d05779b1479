import { timestampMs } from "@bufbuild/protobuf/wkt";
import { type Client, Code, ConnectError } from "@connectrpc/connect";
import type { SessionService, Tokens } from "../../../generated/es/hr/session/v1/session_service_pb.js";
import type { StoredTokens, TokenStore } from "./token-store.js";

/**
 * One person's sign-in to one tenant: its tokens in a TokenStore, got by
 * Login, renewed by Refresh, ended by Logout (hr.session.v1.SessionService).
 *
 * A refresh token works once, and presenting one that was already used
 * revokes the whole sign-in. So there is never more than one Refresh in
 * flight: every call refused together waits for the same one.
 */
export class SignIn {
  private refreshing: Promise<string | undefined> | undefined;

  constructor(
    private readonly sessions: Client<typeof SessionService>,
    private readonly tenantId: string,
    private readonly store: TokenStore,
    private readonly onSignedOut: (() => void) | undefined,
  ) {}

  /** The access token to send now, if signed in. */
  accessToken(): string | undefined {
    return this.store.read()?.accessToken;
  }

  async signIn(loginName: string, password: string): Promise<void> {
    const { tokens } = await this.sessions.login({ tenantId: this.tenantId, loginName, password });
    this.store.write(stored(tokens));
  }

  /** Forgets the tokens at once, then ends the sign-in on the server (which answers the same for any token). */
  async signOut(): Promise<void> {
    const held = this.store.read();
    this.store.write(undefined);
    if (held !== undefined) await this.sessions.logout({ refreshToken: held.refreshToken });
  }

  /**
   * The access token to retry with after the gateway refused `refused`:
   * the one another call's refresh already brought, else a new one from a
   * Refresh (the one in flight, if any). Undefined when the sign-in is over
   * (Refresh refused it: the tokens are forgotten). Any other failure of
   * Refresh (the gateway unreachable, say) is thrown, and the tokens kept.
   */
  async refreshAfter(refused: string): Promise<string | undefined> {
    const held = this.store.read();
    if (held === undefined) return undefined;
    if (held.accessToken !== refused) return held.accessToken;
    this.refreshing ??= this.refresh(held.refreshToken).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refresh(refreshToken: string): Promise<string | undefined> {
    let tokens: Tokens | undefined;
    try {
      ({ tokens } = await this.sessions.refresh({ refreshToken }));
    } catch (error) {
      if (ConnectError.from(error).code !== Code.Unauthenticated) throw error;
      // Unless a new sign-in replaced the one that ended meanwhile.
      if (this.store.read()?.refreshToken === refreshToken) {
        this.store.write(undefined);
        this.onSignedOut?.();
      }
      return undefined;
    }
    // A sign-out or another sign-in during the refresh wins: its tokens stay.
    if (this.store.read()?.refreshToken !== refreshToken) return this.accessToken();
    this.store.write(stored(tokens));
    return this.accessToken();
  }
}

function stored(tokens: Tokens | undefined): StoredTokens {
  if (tokens === undefined) throw new ConnectError("the session app answered no tokens", Code.Internal);
  return {
    accessToken: tokens.accessToken,
    accessTokenExpiresAt: tokens.accessTokenExpireTime ? timestampMs(tokens.accessTokenExpireTime) : 0,
    refreshToken: tokens.refreshToken,
    refreshTokenExpiresAt: tokens.refreshTokenExpireTime ? timestampMs(tokens.refreshTokenExpireTime) : 0,
  };
}
