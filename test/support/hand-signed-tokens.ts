import { SignJWT } from "jose";
import { bearer, type Caller, newTenant, testConfig, testSigner } from "./callers.js";

/**
 * Call options with a token signed by the run's key, as an attacker holding
 * a signing key (or a signer with a wrong clock) could make it: an hr_admin
 * of a fresh tenant, issued at `iat` and expiring at `exp` (epoch seconds,
 * by default now and in 5 minutes), with `claims` added.
 */
export async function handSignedToken(
  options: { iat?: number; exp?: number; claims?: Record<string, unknown> } = {},
): Promise<Caller> {
  const now = Math.floor(Date.now() / 1000);
  const { iat = now, exp = iat + 300, claims = {} } = options;
  const tenantId = newTenant();
  const token = await new SignJWT({ tenant_id: tenantId, roles: ["hr_admin"], ...claims })
    .setProtectedHeader({ alg: testSigner.alg, kid: testSigner.kid })
    .setSubject("user-1")
    .setIssuer(testConfig.auth.issuer)
    .setAudience(testConfig.auth.audience)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(testSigner.key);
  return bearer(token, tenantId);
}
