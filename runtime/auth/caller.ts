import { type JWTPayload, jwtVerify, SignJWT } from "jose";
import type { AuthConfig } from "../config.js";

/** Who is calling: always taken from a verified token, never from a request field. */
export interface Caller {
  tenantId: string;
  /** The token's subject: for a person, the id of their identity account. */
  userId: string;
  roles: readonly string[];
  /**
   * The employee (employee context) the person is, from the claim
   * `employee_id`, lower case; absent for a login that is no employee and for
   * applications. Rules limited to one's own records compare against it.
   */
  employeeId?: string;
}

/** The custom claims our tokens carry besides `sub` (the user id). */
interface CallerClaims extends JWTPayload {
  tenant_id?: unknown;
  roles?: unknown;
  employee_id?: unknown;
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
  const { sub, tenant_id: tenantId, roles, employee_id: employeeId, exp } = payload;
  if (typeof sub !== "string" || sub === "") throw new Error("token has no subject");
  if (typeof tenantId !== "string" || tenantId === "") throw new Error("token has no tenant");
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((r) => typeof r === "string"))) {
    throw new Error("token roles must be a list of strings");
  }
  if (employeeId !== undefined && (typeof employeeId !== "string" || employeeId === "")) {
    throw new Error("token employee id must be a non-empty string");
  }
  const caller: Caller = { tenantId, userId: sub, roles: roles ?? [] };
  if (employeeId !== undefined) caller.employeeId = employeeId.toLowerCase();
  // requiredClaims guarantees `exp`; jwtVerify has checked it is a number in the future.
  return { caller, expiresAtMs: Number(exp) * 1000 };
}

/** Issues a token for a caller: used by the development token command and tests. */
export async function issueCallerToken(caller: Caller, config: AuthConfig, ttlSeconds = 3600): Promise<string> {
  const employee = caller.employeeId === undefined ? {} : { employee_id: caller.employeeId };
  return new SignJWT({ tenant_id: caller.tenantId, roles: [...caller.roles], ...employee })
    .setProtectedHeader({ alg: ALGORITHM })
    .setSubject(caller.userId)
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(keyOf(config));
}
