import type {
  VerifyCredentialsRequest,
  VerifyCredentialsResponse,
} from "../../../generated/proto/hr/identity/v1/account_service.js";
import { ErrorReason } from "../../../generated/proto/hr/identity/v1/error_reason.js";
import type { Database } from "../../../runtime/db/sql.js";
import { nowIso } from "../../../runtime/domain/clock.js";
import { type DomainError, unauthenticated } from "../../../runtime/domain/domain-error.js";
import { FieldChecks } from "../../../runtime/domain/validation.js";
import { type Account, recordVerification } from "./account.js";
import { rolesToProto } from "./account-proto.js";
import { AccountRepository } from "./account-repository.js";
import { verifyAgainstDummy, verifyPassword } from "./password-hash.js";
import { checkTypedCredentials, normalizeLoginName } from "./password-policy.js";
import { isThrottled, type SignInThrottle } from "./sign-in-throttle.js";

/**
 * The one refusal of VerifyCredentials, whatever went wrong: no detail but
 * the reason, so an unknown login, a wrong password, a disabled account and
 * an attempt during a wait of the throttle look the same. The message names
 * both possibilities, so the person at the keyboard knows to wait too.
 */
export function invalidCredentials(): DomainError {
  const message = "invalid login name or password, or too many failed attempts: wait and try again";
  return unauthenticated(ErrorReason.INVALID_CREDENTIALS, message);
}

/**
 * Saves the outcome of a password check that was made against `loaded`'s
 * hash, and returns the account as accepted, or undefined when refused.
 *
 * The password is checked outside any transaction (scrypt takes tens of
 * milliseconds; no connection or row lock is held meanwhile), so the account
 * may have changed since `loaded` was read. The outcome is decided on the
 * stored account, never on a stale read: a success cannot slip into a wait
 * that a concurrent failure just started, no failure is lost (every lost
 * failure would be a free guess), and of a burst of concurrent guesses those
 * that land in the wait are not counted (so a burst cannot lengthen it).
 *
 * First optimistically, in one statement: the outcome is saved only if the
 * account is still at `loaded`'s version (or, when nothing changes, only
 * accepted if it still is). Only when that finds a concurrent change does it
 * lock the row and decide again on what is stored, exactly, with no retry
 * bound. When the password changed meanwhile the attempt is refused without
 * counting: it was checked against a password that is gone.
 */
export async function settleVerification(
  db: Database,
  loaded: Account,
  passwordMatches: boolean,
  throttle: SignInThrottle,
): Promise<Account | undefined> {
  const { accepted, account } = recordVerification(loaded, passwordMatches, nowIso(), throttle);
  const accounts = new AccountRepository(db);
  const settled =
    account === loaded
      ? !accepted || (await accounts.isCurrent(loaded))
      : await accounts.saveIfAt(account, loaded.version);
  if (settled) return accepted ? account : undefined;
  return db.transaction(async (tx) => {
    const locked = new AccountRepository(tx);
    const current = await locked.getForUpdate(loaded.tenantId, loaded.id);
    if (current === undefined || current.passwordHash !== loaded.passwordHash) return undefined;
    const outcome = recordVerification(current, passwordMatches, nowIso(), throttle);
    if (outcome.account !== current) await locked.update(outcome.account, current);
    return outcome.accepted ? outcome.account : undefined;
  });
}

/**
 * A password checked as a sign-in checks it: against the account's hash when
 * there is an account and no wait of the throttle holds it, and then the
 * outcome `counts` (the caller settles it); otherwise against the dummy
 * hash, the same scrypt work, never matching and not to be counted, so an
 * unknown login and an attempt during a wait look like a wrong password.
 */
export async function checkPassword(
  account: Account | undefined,
  password: string,
  throttle: SignInThrottle,
): Promise<{ matches: boolean; counts: boolean }> {
  if (account === undefined || isThrottled(account, nowIso(), throttle)) {
    return { matches: await verifyAgainstDummy(password), counts: false };
  }
  return { matches: await verifyPassword(password, account.passwordHash), counts: true };
}

/**
 * VerifyCredentials: the same scrypt work and the same refusal whether the
 * login name is unknown, the password wrong, or the attempt made during a
 * wait of the throttle (then checked against the dummy hash, not the
 * account's, and not counted). Not a command: it has no request id (every
 * attempt counts), so it does not go through the idempotency pipeline.
 */
export async function verifyCredentials(
  db: Database,
  tenantId: string,
  request: VerifyCredentialsRequest,
  throttle: SignInThrottle,
): Promise<VerifyCredentialsResponse> {
  const checks = new FieldChecks();
  checkTypedCredentials(checks, request.loginName, request.password);
  checks.throwIfAny();
  const found = await new AccountRepository(db).findByLoginName(tenantId, normalizeLoginName(request.loginName));
  const { matches, counts } = await checkPassword(found, request.password, throttle);
  const account = found && counts ? await settleVerification(db, found, matches, throttle) : undefined;
  if (!account) throw invalidCredentials();
  return {
    accountId: account.id,
    employeeId: account.employeeId ?? "",
    displayName: account.displayName,
    roles: rolesToProto(account.roles),
  };
}
