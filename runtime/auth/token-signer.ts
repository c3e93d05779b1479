import { readFileSync } from "node:fs";
import { type CryptoKey, importJWK, type JWK, SignJWT } from "jose";
import type { AuthConfig } from "../config.js";
import type { Caller } from "./caller.js";
import { isDevelopmentKey } from "./development-keys.js";

/** A private key that signs caller tokens, with the key id verifiers find its public half by. */
export interface TokenSigner {
  kid: string;
  alg: "EdDSA" | "ES256";
  key: CryptoKey | Uint8Array;
}

/**
 * Reads a private signing key from a JWK file (`kid` and `alg` set, EdDSA or
 * ES256). Only the session app (and `npm run dev-token` on a laptop) holds
 * one; with NODE_ENV=production the development key is refused.
 */
export async function loadTokenSigner(file: string, env: Record<string, string | undefined>): Promise<TokenSigner> {
  const jwk = JSON.parse(readFileSync(file, "utf8")) as JWK;
  const { kid, alg } = jwk;
  if (typeof kid !== "string" || kid === "") throw new Error(`${file}: the signing key needs a "kid"`);
  if (alg !== "EdDSA" && alg !== "ES256") throw new Error(`${file}: the signing key's "alg" must be EdDSA or ES256`);
  if (jwk.d === undefined) throw new Error(`${file}: not a private key`);
  if (env.NODE_ENV === "production" && isDevelopmentKey(kid)) {
    throw new Error(`${file}: the development signing key is refused in production`);
  }
  return { kid, alg: alg as TokenSigner["alg"], key: await importJWK(jwk, alg) };
}

/** Signs a token for `caller` that lives `ttlSeconds` (at most the verifiers' configured maximum). */
export function issueCallerToken(
  caller: Caller,
  signer: TokenSigner,
  config: Pick<AuthConfig, "issuer" | "audience">,
  ttlSeconds: number,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const employee = caller.employeeId === undefined ? {} : { employee_id: caller.employeeId };
  return new SignJWT({ tenant_id: caller.tenantId, roles: [...caller.roles], ...employee })
    .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: "JWT" })
    .setSubject(caller.userId)
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(signer.key);
}
