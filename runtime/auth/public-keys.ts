import { readFileSync } from "node:fs";
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import { DEVELOPMENT_KEY_DIR, isDevelopmentKey } from "./development-keys.js";

type Env = Record<string, string | undefined>;

/**
 * The public keys every process verifies caller tokens with: a JWKS from
 * AUTH_JWKS_URL (fetched and cached by jose, refetched on an unknown `kid`)
 * or AUTH_JWKS_FILE. During a key rotation the JWKS holds the old and the new
 * key, and a token of either verifies. Without either variable a laptop uses
 * the development JWKS `npm start` writes; production must name one, and
 * refuses development keys.
 */
export function readPublicKeys(env: Env): JWTVerifyGetKey {
  const production = env.NODE_ENV === "production";
  if (env.AUTH_JWKS_URL) {
    const remote = createRemoteJWKSet(new URL(env.AUTH_JWKS_URL));
    if (!production) return remote;
    return (header, token) => {
      if (header.kid !== undefined && isDevelopmentKey(header.kid)) throw new Error("development key in production");
      return remote(header, token);
    };
  }
  if (production && !env.AUTH_JWKS_FILE) throw new Error("AUTH_JWKS_FILE or AUTH_JWKS_URL must be set in production");
  const file = env.AUTH_JWKS_FILE || `${DEVELOPMENT_KEY_DIR}/jwks.json`;
  let jwks: JSONWebKeySet;
  try {
    jwks = JSON.parse(readFileSync(file, "utf8")) as JSONWebKeySet;
  } catch (error) {
    const hint = env.AUTH_JWKS_FILE ? "" : " (npm start creates the development keys)";
    throw new Error(`cannot read the JWKS ${file}${hint}: ${(error as Error).message}`);
  }
  if (!Array.isArray(jwks.keys) || jwks.keys.length === 0) throw new Error(`${file}: a JWKS needs at least one key`);
  for (const key of jwks.keys) {
    if ("d" in key) throw new Error(`${file}: a JWKS must hold public keys only`);
    if (typeof key.kid !== "string") throw new Error(`${file}: every key needs a "kid"`);
    if (production && isDevelopmentKey(key.kid)) throw new Error(`${file}: development keys are refused in production`);
  }
  return createLocalJWKSet(jwks);
}
