/**
 * How failed sign-ins slow down the next attempt on one account: throttling,
 * never a lockout a stranger can trigger (NIST SP 800-63B 5.2.2 asks for
 * rate limiting of failed attempts; the OWASP Authentication Cheat Sheet
 * warns that lockout after N failures hands anyone who knows a login name a
 * denial of service). Pure: the caller passes `now`.
 *
 * From the `afterFailures`-th failure in a row, the next attempt waits
 * `baseMs` after the last failure, doubling with each further failure up to
 * `ceilingMs`. An attempt during the wait is refused without being checked or
 * counted (see recordVerification), so nobody extends the wait by trying.
 */
export interface SignInThrottle {
  /** The failure in a row that starts the waits (5 by default). */
  afterFailures: number;
  /** The wait after that failure, in milliseconds (30 s by default). */
  baseMs: number;
  /** The longest wait, in milliseconds (15 min by default). */
  ceilingMs: number;
}

export const DEFAULT_SIGN_IN_THROTTLE: SignInThrottle = { afterFailures: 5, baseMs: 30_000, ceilingMs: 15 * 60_000 };

/** What the throttle needs to know of an account: its run of failures and when the last one was. */
export interface FailureRun {
  failedVerifications: number;
  /** When the last failed verification was; null when there was none since the column exists. */
  lastFailureTime: string | null;
}

/** The wait after the `failures`-th failure in a row: 0 below the threshold. */
export function waitAfter(failures: number, policy: SignInThrottle): number {
  if (failures < policy.afterFailures) return 0;
  // 2 ** n is Infinity for large n, and min() then gives the ceiling: no overflow to guard.
  return Math.min(policy.baseMs * 2 ** (failures - policy.afterFailures), policy.ceilingMs);
}

/** When the next attempt may be checked, or null when it may be now (no run of failures long enough). */
export function nextAttemptTime(run: FailureRun, policy: SignInThrottle): string | null {
  const wait = waitAfter(run.failedVerifications, policy);
  if (wait === 0 || run.lastFailureTime === null) return null;
  return new Date(Date.parse(run.lastFailureTime) + wait).toISOString();
}

/** Whether an attempt at `now` falls in the wait: it is then refused unchecked and uncounted. */
export function isThrottled(run: FailureRun, now: string, policy: SignInThrottle): boolean {
  const next = nextAttemptTime(run, policy);
  return next !== null && Date.parse(now) < Date.parse(next);
}

/** A policy that makes sense, or an Error naming the bad setting (read at start, see identity-config.ts). */
export function checkSignInThrottle(policy: SignInThrottle): SignInThrottle {
  if (!Number.isInteger(policy.afterFailures) || policy.afterFailures < 1) {
    throw new Error(`the sign-in throttle must start at the 1st failure or later, got ${policy.afterFailures}`);
  }
  if (!(policy.baseMs >= 1)) throw new Error(`the first sign-in wait must be at least 1 ms, got ${policy.baseMs}`);
  if (!(policy.ceilingMs >= policy.baseMs)) {
    throw new Error(
      `the longest sign-in wait (${policy.ceilingMs} ms) must not be below the first (${policy.baseMs} ms)`,
    );
  }
  return policy;
}
