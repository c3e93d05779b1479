import { configSlice, type Env, integer } from "../../runtime/config.js";
import { checkSignInThrottle, DEFAULT_SIGN_IN_THROTTLE, type SignInThrottle } from "./account/sign-in-throttle.js";

/** How long a sign-in's refresh tokens can be rotated, from the login: 30 days unless configured. */
export const DEFAULT_SESSION_LIFETIME_MS = 30 * 24 * 3_600_000;

/** The identity process's own settings. */
export interface IdentitySettings {
  sessionLifetimeMs: number;
  /** How failed sign-ins slow the next attempt. */
  signInThrottle: SignInThrottle;
}

const d = DEFAULT_SIGN_IN_THROTTLE;
export const identityVariables = configSlice("identity", {
  IDENTITY_SESSION_LIFETIME_HOURS: integer(
    DEFAULT_SESSION_LIFETIME_MS / 3_600_000,
    "how long a sign-in's refresh tokens can be rotated, from the login",
  ),
  IDENTITY_SIGN_IN_BACKOFF_AFTER_FAILURES: integer(
    d.afterFailures,
    "the failure in a row from which the next sign-in (or own password change) on that login must wait",
  ),
  IDENTITY_SIGN_IN_BACKOFF_BASE_MS: integer(d.baseMs, "the first wait, doubling with each further failure"),
  IDENTITY_SIGN_IN_BACKOFF_CEILING_MS: integer(
    d.ceilingMs,
    "the longest wait; below the first wait, the process refuses to start",
  ),
});

/** A sign-in throttle that makes no sense stops the process at start, not at the first sign-in. */
export function readIdentitySettings(env: Env = process.env): IdentitySettings {
  const v = identityVariables.read(env);
  return {
    sessionLifetimeMs: v.IDENTITY_SESSION_LIFETIME_HOURS * 3_600_000,
    signInThrottle: checkSignInThrottle({
      afterFailures: v.IDENTITY_SIGN_IN_BACKOFF_AFTER_FAILURES,
      baseMs: v.IDENTITY_SIGN_IN_BACKOFF_BASE_MS,
      ceilingMs: v.IDENTITY_SIGN_IN_BACKOFF_CEILING_MS,
    }),
  };
}
