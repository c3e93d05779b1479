import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { CLOCK_TOLERANCE_SECONDS, verifyCallerToken } from "../../runtime/auth/caller.js";
import { checkTokenTimes, TokenRefused } from "../../runtime/auth/token-times.js";
import type { AuthConfig } from "../../runtime/config.js";

// A signer's clock (or a stolen signing key) must not stretch a token: `iat`
// in the future beyond the clock skew is refused, and the lifetime left is
// counted from the verifier's now, not from the `iat` the token claims.

const NOW = 1_800_000_000;
const MAX = 900;
const YEAR = 365 * 24 * 3_600;

function reasonOf(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    return error instanceof TokenRefused ? error.reason : String(error);
  }
}

describe("a token's times", () => {
  const times = (iat: number, exp: number) => () => checkTokenTimes({ iat, exp }, NOW, MAX, CLOCK_TOLERANCE_SECONDS);

  it("accept a token issued now, or within the clock skew ahead, living up to the maximum", () => {
    expect(reasonOf(times(NOW, NOW + MAX))).toBeUndefined();
    expect(reasonOf(times(NOW + CLOCK_TOLERANCE_SECONDS, NOW + MAX))).toBeUndefined();
  });

  it("refuse an iat a year ahead, even with a short exp - iat (what the old check allowed)", () => {
    expect(reasonOf(times(NOW + YEAR, NOW + YEAR + 300))).toBe("TOKEN_ISSUED_IN_FUTURE");
    expect(reasonOf(times(NOW + CLOCK_TOLERANCE_SECONDS + 1, NOW + 300))).toBe("TOKEN_ISSUED_IN_FUTURE");
  });

  it("count the lifetime from now: exp - now past the maximum is refused whatever iat says", () => {
    const iat = NOW + 25; // within the skew; exp - iat is exactly the maximum allowed
    expect(reasonOf(times(iat, iat + MAX + CLOCK_TOLERANCE_SECONDS))).toBe("TOKEN_LIFETIME_TOO_LONG");
    expect(reasonOf(times(NOW - 10 * MAX, NOW + MAX + CLOCK_TOLERANCE_SECONDS + 1))).toBe("TOKEN_LIFETIME_TOO_LONG");
  });
});

describe("verifying a validly signed token", async () => {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const jwk = { ...(await exportJWK(publicKey)), kid: "unit-key", alg: "EdDSA" };
  const config: AuthConfig = {
    issuer: "hr-platform",
    audience: "hr-api",
    publicKeys: createLocalJWKSet({ keys: [jwk] }),
    maxTokenLifetimeSeconds: MAX,
  };
  const signed = (iat: number, exp: number) =>
    new SignJWT({ tenant_id: "acme", roles: ["employee"] })
      .setProtectedHeader({ alg: "EdDSA", kid: "unit-key" })
      .setSubject("user-1")
      .setIssuer(config.issuer)
      .setAudience(config.audience)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(privateKey);
  const verify = async (token: string) =>
    verifyCallerToken(token, config, () => NOW * 1000).then(
      ({ caller }) => caller.tenantId,
      (error: unknown) => (error instanceof TokenRefused ? error.reason : String(error)),
    );

  it("accepts one issued now", async () => {
    expect(await verify(await signed(NOW, NOW + 300))).toBe("acme");
  });

  it("refuses one issued a year ahead (TOKEN_ISSUED_IN_FUTURE)", async () => {
    expect(await verify(await signed(NOW + YEAR, NOW + YEAR + 300))).toBe("TOKEN_ISSUED_IN_FUTURE");
  });

  it("refuses one whose expiry lies further from now than the maximum (TOKEN_LIFETIME_TOO_LONG)", async () => {
    expect(await verify(await signed(NOW + 25, NOW + 25 + MAX + CLOCK_TOLERANCE_SECONDS))).toBe(
      "TOKEN_LIFETIME_TOO_LONG",
    );
  });

  it("refuses a bad signature and garbage with stable reasons of their own", async () => {
    const token = await signed(NOW, NOW + 300);
    expect(await verify(`${token.slice(0, -4)}AAAA`)).toBe("TOKEN_SIGNATURE_OR_CLAIMS_INVALID");
    expect(await verify("not-a-jwt")).toBe("TOKEN_MALFORMED");
  });
});
