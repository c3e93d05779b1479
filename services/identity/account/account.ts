import { failedPrecondition, invalidArgument, permissionDenied } from "../../../runtime/domain/domain-error.js";
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
 * No privilege escalation: a caller grants only roles it holds itself (so
 * only a tenant admin grants tenant_admin), and acts as an administrator
 * (roles, status, password reset) only on accounts granting no role it
 * lacks, so nobody takes over a login stronger than their own.
 */
export function requireHeldRoles(callerRoles: readonly string[], roles: readonly Role[], of: string): void {
  const missing = roles.filter((role) => !callerRoles.includes(role));
  if (missing.length > 0) {
    throw permissionDenied("ROLE_NOT_HELD", `the caller does not hold ${missing.join(", ")}, which ${of} grants`);
  }
}

/** The administrator of another account: holds every role it grants. */
export function requireAdministers(callerRoles: readonly string[], a: Account): void {
  requireHeldRoles(callerRoles, a.roles, `account ${a.id}`);
}

/**
 * Who changes a password: the account itself ("own"), which must prove the
 * current password on an active account, or an administrator resetting
 * another account ("reset"), in any status and without it.
 */
export type PasswordChanger = { kind: "own" } | { kind: "reset"; callerRoles: readonly string[] };

/**
 * Checks a ChangePassword request before any hashing. Returns whether the
 * current password must still be verified.
 */
export function checkPasswordChange(
  a: Account,
  change: { currentPassword: string; newPassword: string },
  by: PasswordChanger,
): { verifyCurrentPassword: boolean } {
  const own = by.kind === "own";
  if (!own) requireAdministers(by.callerRoles, a);
  const checks = new FieldChecks();
  if (own) checks.check("current_password", change.currentPassword !== "", "is required");
  checkNewPassword(checks, "new_password", change.newPassword, a.loginName);
  checks.throwIfAny();
  if (own && a.status !== "active") {
    const reason = a.status === "locked" ? "ACCOUNT_LOCKED" : "ACCOUNT_DISABLED";
    throw failedPrecondition(reason, subject(a.id), `account ${a.id} is ${a.status}; an administrator must act`);
  }
  return { verifyCurrentPassword: own };
}

export function currentPasswordIncorrect() {
  const violation = { field: "current_password", description: "is not the account's current password" };
  return invalidArgument([violation], "CURRENT_PASSWORD_INCORRECT");
}

/** A new password also ends a run of failed verifications (it does not unlock). */
export function changePassword(a: Account, passwordHash: string, now: string): Account {
  return { ...a, passwordHash, passwordChangeTime: now, failedVerifications: 0, ...bump(a, now) };
}

/** Replaces the role set; the caller must hold every role of the old set and of the new one. */
export function assignRoles(
  a: Account,
  roles: readonly string[],
  callerRoles: readonly string[],
  now: string,
): Account {
  const checks = new FieldChecks();
  const checked = checkRoles(checks, roles);
  checks.throwIfAny();
  requireAdministers(callerRoles, a);
  requireHeldRoles(callerRoles, checked, "the new role set");
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
