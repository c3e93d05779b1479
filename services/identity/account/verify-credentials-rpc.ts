import type {
  VerifyCredentialsRequest,
  VerifyCredentialsResponse,
} from "../../../generated/proto/hr/identity/v1/account_service.js";
import type { Database } from "../../../runtime/db/sql.js";
import { nowIso } from "../../../runtime/domain/clock.js";
import { type DomainError, unauthenticated } from "../../../runtime/domain/domain-error.js";
import { FieldChecks } from "../../../runtime/domain/validation.js";
import { type Account, recordVerification } from "./account.js";
import { rolesToProto } from "./account-proto.js";
import { AccountRepository } from "./account-repository.js";
import { verifyAgainstDummy, verifyPassword } from "./password-hash.js";
import { checkTypedCredentials, normalizeLoginName } from "./password-policy.js";

/**
 * The one refusal of VerifyCredentials, whatever went wrong: no detail but
 * the reason, so an unknown login, a wrong password and a disabled or locked
 * account look the same.
 */
export function invalidCredentials(): DomainError {
  return unauthenticated("INVALID_CREDENTIALS", "invalid login name or password");
}

/**
 * Saves the outcome of a password check that was made against `loaded`'s
 * hash, and returns the account as accepted, or undefined when refused.
 *
 * The password is checked outside any transaction (scrypt takes tens of
 * milliseconds; no connection or row lock is held meanwhile), so the account
 * may have changed since `loaded` was read. The outcome is decided on the
 * stored account, never on a stale read: a success cannot slip past a lock a
 * concurrent failure just set, and no failure is lost (every lost failure
 * would be a free guess past the lockout).
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
): Promise<Account | undefined> {
  const { accepted, account } = recordVerification(loaded, passwordMatches, nowIso());
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
    const outcome = recordVerification(current, passwordMatches, nowIso());
    if (outcome.account !== current) await locked.update(outcome.account, current.version);
    return outcome.accepted ? outcome.account : undefined;
  });
}

/**
 * VerifyCredentials: the same scrypt work and the same refusal whether or not
 * the login name exists. Not a command: it has no request id (every attempt
 * counts), so it does not go through the idempotency pipeline.
 */
export async function verifyCredentials(
  db: Database,
  tenantId: string,
  request: VerifyCredentialsRequest,
): Promise<VerifyCredentialsResponse> {
  const checks = new FieldChecks();
  checkTypedCredentials(checks, request.loginName, request.password);
  checks.throwIfAny();
  const found = await new AccountRepository(db).findByLoginName(tenantId, normalizeLoginName(request.loginName));
  const matches = found
    ? await verifyPassword(request.password, found.passwordHash)
    : await verifyAgainstDummy(request.password);
  const account = found && (await settleVerification(db, found, matches));
  if (!account) throw invalidCredentials();
  return {
    accountId: account.id,
    employeeId: account.employeeId ?? "",
    displayName: account.displayName,
    roles: rolesToProto(account.roles),
  };
}
