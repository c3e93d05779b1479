import type {
  VerifyCredentialsRequest,
  VerifyCredentialsResponse,
} from "../../../generated/proto/hr/identity/v1/account_service.js";
import { nowIso } from "../../../runtime/domain/clock.js";
import { type DomainError, unauthenticated } from "../../../runtime/domain/domain-error.js";
import { FieldChecks } from "../../../runtime/domain/validation.js";
import { type Account, recordVerification } from "./account.js";
import { rolesToProto } from "./account-proto.js";
import type { AccountRepository } from "./account-repository.js";
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
 * Rounds of re-reading after a concurrent change before a verification gives
 * up. Each round is one read and one conditional write (no scrypt), and every
 * round at least one of the competing attempts gets saved, so this covers
 * far more attempts finishing at once than scrypt's thread pool can produce.
 */
const MAX_ROUNDS = 10;

/**
 * Saves the outcome of a password check that was made against `loaded`'s
 * hash, and returns the account as accepted, or undefined when refused.
 *
 * Optimistic: the outcome is saved only if the account has not changed since
 * it was read, so a success can never slip past a lock that a concurrent
 * failure just set. On a conflict the account is read again and the outcome
 * re-decided on it, reusing the password check as long as the hash is the
 * one checked. Retrying only once (or ignoring conflicts) loses failures when
 * several attempts finish together, and every lost failure is a free guess
 * past the lockout; so it retries until saved, up to MAX_ROUNDS, then
 * refuses (fail closed). When the password changed meanwhile the attempt is
 * refused without counting: it was checked against a password that is gone.
 */
export async function settleVerification(
  accounts: AccountRepository,
  loaded: Account,
  passwordMatches: boolean,
): Promise<Account | undefined> {
  let current = loaded;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const { accepted, account } = recordVerification(current, passwordMatches, nowIso());
    const saved =
      account === current
        ? !accepted || (await accounts.isCurrent(current))
        : await accounts.saveVerification(account, current.version);
    if (saved) return accepted ? account : undefined;
    const reread = await accounts.get(current.tenantId, current.id);
    if (reread === undefined || reread.passwordHash !== loaded.passwordHash) return undefined;
    current = reread;
  }
  return undefined;
}

/** VerifyCredentials: the same scrypt work and the same refusal whether or not the login name exists. */
export async function verifyCredentials(
  accounts: AccountRepository,
  tenantId: string,
  request: VerifyCredentialsRequest,
): Promise<VerifyCredentialsResponse> {
  const checks = new FieldChecks();
  checkTypedCredentials(checks, request.loginName, request.password);
  checks.throwIfAny();
  const found = await accounts.findByLoginName(tenantId, normalizeLoginName(request.loginName));
  const matches = found
    ? await verifyPassword(request.password, found.passwordHash)
    : await verifyAgainstDummy(request.password);
  const account = found && (await settleVerification(accounts, found, matches));
  if (!account) throw invalidCredentials();
  return {
    accountId: account.id,
    employeeId: account.employeeId ?? "",
    displayName: account.displayName,
    roles: rolesToProto(account.roles),
  };
}
