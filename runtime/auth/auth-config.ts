import { type AuthConfig, configSlice, type Env, integer, required, text } from "../config.js";
import { readPublicKeys } from "./public-keys.js";

/** How every server verifies caller tokens (authentication.ts, caller.ts). */
export const authVariables = configSlice("all servers", {
  AUTH_JWT_ISSUER: text("hr-platform", "expected `iss` of caller tokens"),
  AUTH_JWT_AUDIENCE: text("hr-api", "expected `aud` of caller tokens"),
  // Access tokens live at most 15 minutes; a longer-lived token (a
  // development one, say) is accepted only where this is raised on purpose.
  AUTH_MAX_TOKEN_LIFETIME_SECONDS: integer(
    900,
    "longest time from now to `exp` of an accepted caller token; raise it on purpose for longer `dev-token --ttl` tokens",
  ),
  AUTH_JWKS_FILE: text(
    undefined,
    "the public keys (a JWKS) caller tokens are verified with (`npm start` sets the development one); required, or `AUTH_JWKS_URL`, when `NODE_ENV=production`",
  ),
  AUTH_JWKS_URL: text(undefined, "the same JWKS fetched over HTTP(S) instead (cached, refetched on an unknown key id)"),
});

/** The private key that signs caller tokens: only the session and onboarding apps (and `npm run dev-token`) hold it. */
export const signingVariables = configSlice("session, onboarding, dev-token", {
  AUTH_SIGNING_KEY_FILE: required(
    "the private key (a JWK with `kid` and `alg` EdDSA or ES256) that signs caller tokens (`npm start` sets the development one)",
  ),
});

export function readAuthConfig(env: Env = process.env): AuthConfig {
  const v = authVariables.read(env);
  return {
    issuer: v.AUTH_JWT_ISSUER,
    audience: v.AUTH_JWT_AUDIENCE,
    publicKeys: readPublicKeys(env),
    maxTokenLifetimeSeconds: v.AUTH_MAX_TOKEN_LIFETIME_SECONDS,
  };
}
