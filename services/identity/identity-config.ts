import { readInt } from "../../runtime/config.js";
import { checkSignInThrottle, DEFAULT_SIGN_IN_THROTTLE, type SignInThrottle } from "./account/sign-in-throttle.js";

type Env = Record<string, string | undefined>;

/**
 * The sign-in throttle of the identity process (README, "Configuration"):
 * IDENTITY_SIGN_IN_BACKOFF_AFTER_FAILURES (5), IDENTITY_SIGN_IN_BACKOFF_BASE_MS
 * (30000) and IDENTITY_SIGN_IN_BACKOFF_CEILING_MS (900000). A setting that
 * makes no sense stops the process at start, not at the first sign-in.
 */
export function readSignInThrottle(env: Env = process.env): SignInThrottle {
  const d = DEFAULT_SIGN_IN_THROTTLE;
  return checkSignInThrottle({
    afterFailures: readInt(env, "IDENTITY_SIGN_IN_BACKOFF_AFTER_FAILURES", d.afterFailures),
    baseMs: readInt(env, "IDENTITY_SIGN_IN_BACKOFF_BASE_MS", d.baseMs),
    ceilingMs: readInt(env, "IDENTITY_SIGN_IN_BACKOFF_CEILING_MS", d.ceilingMs),
  });
}
