import { type JWTPayload, jwtVerify, SignJWT } from "jose";
import type { AuthConfig } from "../config.js";

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

const ALGORITHM = "HS256";

function keyOf(config: AuthConfig): Uint8Array {
  return new TextEncoder().encode(config.jwtSecret);
}

/** Verifies signature, issuer, audience and expiry; throws on any failure. */
export async function verifyCallerToken(
  token: string,
  config: AuthConfig,
): Promise<{ caller: Caller; expiresAtMs: number }> {
  const { payload } = await jwtVerify<CallerClaims>(token, keyOf(config), {
    algorithms: [ALGORITHM],
    issuer: config.issuer,
    audience: config.audience,
    requiredClaims: ["sub", "exp", "tenant_id"],
  });
  const { sub, tenant_id: tenantId, roles, exp } = payload;
  if (typeof sub !== "string" || sub === "") throw new Error("token has no subject");
  if (typeof tenantId !== "string" || tenantId === "") throw new Error("token has no tenant");
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((r) => typeof r === "string"))) {
    throw new Error("token roles must be a list of strings");
  }
  // requiredClaims guarantees `exp`; jwtVerify has checked it is a number in the future.
  return { caller: { tenantId, userId: sub, roles: roles ?? [] }, expiresAtMs: Number(exp) * 1000 };
}

/** Issues a token for a caller: used by the development token command and tests. */
export async function issueCallerToken(caller: Caller, config: AuthConfig, ttlSeconds = 3600): Promise<string> {
  return new SignJWT({ tenant_id: caller.tenantId, roles: [...caller.roles] })
    .setProtectedHeader({ alg: ALGORITHM })
    .setSubject(caller.userId)
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(keyOf(config));
}
