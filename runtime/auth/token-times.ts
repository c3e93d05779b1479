/**
 * Why a token was refused, as a stable code: the caller always gets one
 * uniform UNAUTHENTICATED answer (it learns nothing about why), while the
 * server's log line for the call names the reason.
 */
export type TokenRefusalReason =
  | "TOKEN_MALFORMED"
  | "TOKEN_TOO_LARGE"
  | "TOKEN_SIGNATURE_OR_CLAIMS_INVALID"
  | "TOKEN_ISSUED_IN_FUTURE"
  | "TOKEN_LIFETIME_TOO_LONG"
  | "TOKEN_CLAIM_SHAPE_INVALID";

/** A token refused for a known reason. */
export class TokenRefused extends Error {
  constructor(
    readonly reason: TokenRefusalReason,
    message: string,
  ) {
    super(message);
    this.name = "TokenRefused";
  }
}

/**
 * Checks a signed token's times against the verifier's clock: `iat` may not
 * lie in the future beyond the clock skew (a token "issued next year" is not
 * one we issued), and the lifetime left (`exp - now`) may not exceed the
 * configured maximum. Counting from now, not from `iat`, is what bounds how
 * long a leaked token works: a signer's `iat` cannot stretch it.
 */
export function checkTokenTimes(
  claims: { iat: number; exp: number },
  nowSeconds: number,
  maxLifetimeSeconds: number,
  toleranceSeconds: number,
): void {
  if (claims.iat > nowSeconds + toleranceSeconds) {
    throw new TokenRefused("TOKEN_ISSUED_IN_FUTURE", "token is issued in the future");
  }
  if (claims.exp - nowSeconds > maxLifetimeSeconds + toleranceSeconds) {
    throw new TokenRefused("TOKEN_LIFETIME_TOO_LONG", "token lives longer than allowed");
  }
}
