import { failedPrecondition, invalidArgument } from "../../../runtime/domain/domain-error.js";
import { FieldChecks } from "../../../runtime/domain/validation.js";
import { checkNewPassword, normalizeLoginName } from "./password-policy.js";
import { checkRoles, type Role } from "./roles.js";

/**
 * Account, the aggregate root of the identity context: the login of one
 * person in one tenant. active ⇄ disabled; active → locked after
 * LOCK_AFTER_FAILURES failed verifications in a row; enable unlocks.
 * Pure: the caller hashes passwords (password-hash.ts) and passes the hash
 * string and `now`; every command returns a new JSON-plain object.
 */

export type AccountStatus = "active" | "disabled" | "locked";

export const LOCK_AFTER_FAILURES = 5;
/** Callers with one of these token roles may set a password without knowing the current one. */
const PASSWORD_ADMIN_ROLES: readonly string[] = ["hr_admin", "tenant_admin"];

export interface Account {
  id: string;
  tenantId: string;
  loginName: string;
  employeeId: string | null;
  displayName: string;
  roles: Role[];
  status: AccountStatus;
  failedVerifications: number;
  /** A self-describing scrypt string, never a password. */
  passwordHash: string;
  passwordChangeTime: string;
  version: number;
  createTime: string;
  updateTime: string;
}

/** The account as it may leave the service (responses, and so the replays of commands): no hash. */
export type AccountView = Omit<Account, "passwordHash">;

export interface NewAccount {
  id: string;
  tenantId: string;
  loginName: string;
  employeeId: string;
  displayName: string;
  /** Role names as given; unknown ones are refused. */
  roles: readonly string[];
  initialPassword: string;
}

/** A valid NewAccount without its password: all that is left is to hash the password. */
export type AccountDraft = Pick<Account, "id" | "tenantId" | "loginName" | "employeeId" | "displayName" | "roles">;

const subject = (id: string): string => `accounts/${id}`;
const bump = (a: Account, now: string) => ({ version: a.version + 1, updateTime: now });

export function viewOf(a: Account): AccountView {
  const { passwordHash: _secret, ...view } = a;
  return view;
}

/** Validates every field of a new account at once, the password policy included. */
export function draftAccount(input: NewAccount): AccountDraft {
  const checks = new FieldChecks();
  const loginName = normalizeLoginName(input.loginName);
  checks.email("login_name", loginName);
  checks.optionalUuid("employee_id", input.employeeId);
  const displayName = input.displayName.trim();
  checks.text("display_name", displayName, { min: 1, max: 200 });
  const roles = checkRoles(checks, input.roles);
  checkNewPassword(checks, "initial_password", input.initialPassword, loginName);
  checks.throwIfAny();
  const employeeId = input.employeeId === "" ? null : input.employeeId.toLowerCase();
  return { id: input.id, tenantId: input.tenantId, loginName, employeeId, displayName, roles };
}

export function createAccount(draft: AccountDraft, passwordHash: string, now: string): Account {
  const lifecycle = { status: "active", failedVerifications: 0, version: 1, createTime: now, updateTime: now } as const;
  return { ...draft, passwordHash, passwordChangeTime: now, ...lifecycle };
}

/**
 * Checks a ChangePassword request before any hashing. Returns whether the
 * current password must still be verified: not for password admins, who may
 * set any account's password in any status.
 */
export function checkPasswordChange(
  a: Account,
  change: { currentPassword: string; newPassword: string },
  callerRoles: readonly string[],
): { verifyCurrentPassword: boolean } {
  const admin = callerRoles.some((role) => PASSWORD_ADMIN_ROLES.includes(role));
  const checks = new FieldChecks();
  if (!admin) checks.check("current_password", change.currentPassword !== "", "is required");
  checkNewPassword(checks, "new_password", change.newPassword, a.loginName);
  checks.throwIfAny();
  if (!admin && a.status !== "active") {
    const reason = a.status === "locked" ? "ACCOUNT_LOCKED" : "ACCOUNT_DISABLED";
    throw failedPrecondition(reason, subject(a.id), `account ${a.id} is ${a.status}; an administrator must act`);
  }
  return { verifyCurrentPassword: !admin };
}

export function currentPasswordIncorrect() {
  const violation = { field: "current_password", description: "is not the account's current password" };
  return invalidArgument([violation], "CURRENT_PASSWORD_INCORRECT");
}

/** A new password also ends a run of failed verifications (it does not unlock). */
export function changePassword(a: Account, passwordHash: string, now: string): Account {
  return { ...a, passwordHash, passwordChangeTime: now, failedVerifications: 0, ...bump(a, now) };
}

export function assignRoles(a: Account, roles: readonly string[], now: string): Account {
  const checks = new FieldChecks();
  const checked = checkRoles(checks, roles);
  checks.throwIfAny();
  return { ...a, roles: checked, ...bump(a, now) };
}

export function disableAccount(a: Account, now: string): Account {
  if (a.status === "disabled") {
    throw failedPrecondition("ACCOUNT_ALREADY_DISABLED", subject(a.id), `account ${a.id} is already disabled`);
  }
  return { ...a, status: "disabled", ...bump(a, now) };
}

/** Enables a disabled account or unlocks a locked one, with a fresh failure counter. */
export function enableAccount(a: Account, now: string): Account {
  if (a.status === "active") {
    throw failedPrecondition("ACCOUNT_ALREADY_ACTIVE", subject(a.id), `account ${a.id} is already active`);
  }
  return { ...a, status: "active", failedVerifications: 0, ...bump(a, now) };
}

/**
 * The outcome of a password check against this account. Only an active
 * account can be accepted or count failures; the LOCK_AFTER_FAILURES-th
 * failure in a row locks it. Returns the same object when nothing changes.
 */
export function recordVerification(a: Account, passwordMatches: boolean, now: string) {
  if (a.status !== "active") return { accepted: false, account: a };
  if (passwordMatches) {
    const account = a.failedVerifications === 0 ? a : { ...a, failedVerifications: 0, ...bump(a, now) };
    return { accepted: true, account };
  }
  const failedVerifications = a.failedVerifications + 1;
  const status: AccountStatus = failedVerifications >= LOCK_AFTER_FAILURES ? "locked" : "active";
  return { accepted: false, account: { ...a, failedVerifications, status, ...bump(a, now) } };
}
