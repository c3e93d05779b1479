import { decodeProtectedHeader, type JWTPayload, jwtVerify } from "jose";
import type { AuthConfig } from "../config.js";
import { EMPLOYEE_ID, rolesOf, SUBJECT, TENANT_ID } from "./claim-shapes.js";
import { checkTokenTimes, TokenRefused } from "./token-times.js";

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
/** Clock skew tolerated between the signer and a verifier, on `exp`, `nbf`, `iat` and the lifetime. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * Verifies a caller token: algorithm, signature (a key of the JWKS, chosen by
 * `kid`), issuer, audience, expiry, not-before, an `iat` not in the future,
 * a lifetime left no longer than configured, and the shape of every claim.
 * Throws TokenRefused with a stable reason on any failure; the
 * authentication middleware answers each one UNAUTHENTICATED.
 */
export async function verifyCallerToken(
  token: string,
  config: AuthConfig,
  now: () => number = Date.now,
): Promise<{ caller: Caller; expiresAtMs: number }> {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw new TokenRefused("TOKEN_MALFORMED", "token header cannot be read");
  }
  if (kid === undefined) throw new TokenRefused("TOKEN_MALFORMED", "token has no key id");
  const payload = await verifiedClaims(token, config, now);
  const { sub, tenant_id: tenantId, employee_id: employeeId, exp, iat } = payload;
  // requiredClaims and jwtVerify guarantee `exp` and `iat` are numbers.
  const times = { iat: Number(iat), exp: Number(exp) };
  checkTokenTimes(times, now() / 1000, config.maxTokenLifetimeSeconds, CLOCK_TOLERANCE_SECONDS);
  const caller = callerOf(sub, tenantId, payload.roles, employeeId);
  return { caller, expiresAtMs: times.exp * 1000 };
}

/** The payload once signature, issuer, audience, expiry and not-before hold. */
async function verifiedClaims(token: string, config: AuthConfig, now: () => number): Promise<CallerClaims> {
  try {
    const { payload } = await jwtVerify<CallerClaims>(token, config.publicKeys, {
      algorithms: ALGORITHMS,
      issuer: config.issuer,
      audience: config.audience,
      requiredClaims: ["sub", "exp", "iat", "tenant_id"],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: new Date(now()),
    });
    return payload;
  } catch (error) {
    throw new TokenRefused("TOKEN_SIGNATURE_OR_CLAIMS_INVALID", (error as Error).message);
  }
}

/** The caller the claims name, once each claim has its shape. */
function callerOf(sub: unknown, tenantId: unknown, rolesClaim: unknown, employeeId: unknown): Caller {
  const refuse = (message: string) => new TokenRefused("TOKEN_CLAIM_SHAPE_INVALID", message);
  if (typeof sub !== "string" || !SUBJECT.test(sub)) throw refuse("token subject has a bad shape");
  if (typeof tenantId !== "string" || !TENANT_ID.test(tenantId)) throw refuse("token tenant has a bad shape");
  const roles = rolesOf(rolesClaim);
  if (roles === undefined) throw refuse("token roles must be a short list of role names");
  if (employeeId !== undefined && (typeof employeeId !== "string" || !EMPLOYEE_ID.test(employeeId))) {
    throw refuse("token employee id has a bad shape");
  }
  const caller: Caller = { tenantId, userId: sub, roles };
  if (employeeId !== undefined) caller.employeeId = employeeId.toLowerCase();
  return caller;
}
