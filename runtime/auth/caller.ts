import { decodeProtectedHeader, type JWTPayload, jwtVerify } from "jose";
import type { AuthConfig } from "../config.js";
import { rolesOf, SUBJECT, TENANT_ID } from "./claim-shapes.js";

/** Who is calling: always taken from a verified token, never from a request field. */
export interface Caller {
  tenantId: string;
  userId: string;
  roles: readonly string[];
}

/** The custom claims our tokens carry besides `sub` (the user id). */
interface CallerClaims extends JWTPayload {
  tenant_id?: unknown;
  roles?: unknown;
}

/**
 * Asymmetric algorithms only: a verifier holds public keys and so can never
 * mint a token. HS256 and `none` are refused before any key is looked at.
 */
export const ALGORITHMS = ["EdDSA", "ES256"];
/** Clock skew tolerated between the signer and a verifier, on `exp`, `nbf` and the lifetime. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * Verifies a caller token: algorithm, signature (a key of the JWKS, chosen by
 * `kid`), issuer, audience, expiry, not-before, a lifetime no longer than
 * configured, and the shape of every claim. Throws on any failure; the
 * authentication middleware answers each one UNAUTHENTICATED.
 */
export async function verifyCallerToken(
  token: string,
  config: AuthConfig,
): Promise<{ caller: Caller; expiresAtMs: number }> {
  if (decodeProtectedHeader(token).kid === undefined) throw new Error("token has no key id");
  const { payload } = await jwtVerify<CallerClaims>(token, config.publicKeys, {
    algorithms: ALGORITHMS,
    issuer: config.issuer,
    audience: config.audience,
    requiredClaims: ["sub", "exp", "iat", "tenant_id"],
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
  });
  const { sub, tenant_id: tenantId, exp, iat } = payload;
  // requiredClaims and jwtVerify guarantee `exp` and `iat` are numbers.
  if (Number(exp) - Number(iat) > config.maxTokenLifetimeSeconds + CLOCK_TOLERANCE_SECONDS) {
    throw new Error("token lives longer than allowed");
  }
  if (typeof sub !== "string" || !SUBJECT.test(sub)) throw new Error("token subject has a bad shape");
  if (typeof tenantId !== "string" || !TENANT_ID.test(tenantId)) throw new Error("token tenant has a bad shape");
  const roles = rolesOf(payload.roles);
  if (roles === undefined) throw new Error("token roles must be a short list of role names");
  return { caller: { tenantId, userId: sub, roles }, expiresAtMs: Number(exp) * 1000 };
}
