import type { Caller } from "../auth/caller.js";
import { ensureDevelopmentKeys } from "../auth/development-keys.js";
import { issueCallerToken, loadTokenSigner } from "../auth/token-signer.js";
import { readRuntimeConfig } from "../server/runtime-config.js";

/**
 * A caller token for a laptop: signed with AUTH_SIGNING_KEY_FILE, or else
 * with the development key pair `npm start` uses (created when missing).
 */
export async function developmentToken(caller: Caller, ttlSeconds: number): Promise<string> {
  const env = { ...process.env };
  if (!env.AUTH_SIGNING_KEY_FILE) {
    const keys = await ensureDevelopmentKeys();
    env.AUTH_SIGNING_KEY_FILE = keys.signingKeyFile;
    env.AUTH_JWKS_FILE ||= keys.jwksFile;
  }
  return issueCallerToken(
    caller,
    await loadTokenSigner(env.AUTH_SIGNING_KEY_FILE, env),
    readRuntimeConfig(env).auth,
    ttlSeconds,
  );
}
