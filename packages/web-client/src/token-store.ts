/** A sign-in's tokens, as the session app answered them (times in epoch milliseconds). */
export interface StoredTokens {
  /** The JWT sent as `authorization: Bearer <token>`; it lives minutes. */
  accessToken: string;
  accessTokenExpiresAt: number;
  /** Opaque, secret, usable once: exchanged for the next pair when the access token has expired. */
  refreshToken: string;
  /** When the sign-in ends, whatever the refreshes: sign in again after it. */
  refreshTokenExpiresAt: number;
}

/**
 * Where a platform keeps its sign-in's tokens: `undefined` when signed out.
 * Synchronous, so that every call reads the tokens of the moment.
 */
export interface TokenStore {
  read(): StoredTokens | undefined;
  write(tokens: StoredTokens | undefined): void;
}

/**
 * The default store: a variable of the page, gone with the tab. Not
 * localStorage: any script that runs on the origin (an injected one, a
 * compromised dependency) can read localStorage and take away a refresh token
 * that signs in for 30 days; a token held in memory dies with the page, at
 * the price of signing in again after a reload. An application that accepts
 * that risk passes a store of its own.
 */
export function memoryTokens(): TokenStore {
  let held: StoredTokens | undefined;
  return {
    read: () => held,
    write: (tokens) => {
      held = tokens;
    },
  };
}
