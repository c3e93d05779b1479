import { decodeProtectedHeader, type JWTPayload, jwtVerify } from "jose";
import type { AuthConfig } from "../config.js";
import { EMPLOYEE_ID, rolesOf, SUBJECT, TENANT_ID } from "./claim-shapes.js";

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
  const { sub, tenant_id: tenantId, employee_id: employeeId, exp, iat } = payload;
  // requiredClaims and jwtVerify guarantee `exp` and `iat` are numbers.
  if (Number(exp) - Number(iat) > config.maxTokenLifetimeSeconds + CLOCK_TOLERANCE_SECONDS) {
    throw new Error("token lives longer than allowed");
  }
  if (typeof sub !== "string" || !SUBJECT.test(sub)) throw new Error("token subject has a bad shape");
  if (typeof tenantId !== "string" || !TENANT_ID.test(tenantId)) throw new Error("token tenant has a bad shape");
  const roles = rolesOf(payload.roles);
  if (roles === undefined) throw new Error("token roles must be a short list of role names");
  if (employeeId !== undefined && (typeof employeeId !== "string" || !EMPLOYEE_ID.test(employeeId))) {
    throw new Error("token employee id has a bad shape");
  }
  const caller: Caller = { tenantId, userId: sub, roles };
  if (employeeId !== undefined) caller.employeeId = employeeId.toLowerCase();
  return { caller, expiresAtMs: Number(exp) * 1000 };
}
