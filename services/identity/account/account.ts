import { ErrorReason } from "../../../generated/proto/hr/identity/v1/error_reason.js";
import { failedPrecondition, invalidArgument, permissionDenied } from "../../../runtime/domain/domain-error.js";
import { FieldChecks } from "../../../runtime/domain/validation.js";
import { checkNewPassword, normalizeLoginName } from "./password-policy.js";
import { checkRoles, type Role } from "./roles.js";
import { isThrottled, type SignInThrottle } from "./sign-in-throttle.js";

/**
 * Account, the aggregate root of the identity context: the login of one
 * person in one tenant. active ⇄ disabled. Failed verifications in a row
 * slow the next attempt down (sign-in-throttle.ts) but never switch the
 * account off: "locked" is assigned by nothing any more. It stays in the
 * type, as in the contract, for compatibility; migration
 * 20261211090000_sign_in_throttle returned the accounts locked by the old
 * rule to active, and enable or disable still accept one.
 * Pure: the caller hashes passwords (password-hash.ts) and passes the hash
 * string, `now` and the throttle policy; every command returns a new
 * JSON-plain object.
 */

export type AccountStatus = "active" | "disabled" | "locked";

export interface Account {
  id: string;
  tenantId: string;
  loginName: string;
  employeeId: string | null;
  displayName: string;
  roles: Role[];
  status: AccountStatus;
  failedVerifications: number;
  /** When the last failed verification was: the start of the current wait, if any. */
  lastFailureTime: string | null;
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
  const lifecycle = { status: "active", failedVerifications: 0, lastFailureTime: null } as const;
  return {
    ...draft,
    passwordHash,
    passwordChangeTime: now,
    ...lifecycle,
    version: 1,
    createTime: now,
    updateTime: now,
  };
}

/** The process managers' service role (hr.auth.v1 ROLE_WORKFLOW_SERVICE), held by no account. */
const WORKFLOW_SERVICE = "workflow_service";
/**
 * The roles the process managers grant and administer as if they held them:
 * those of the people they onboard. Never an administrator's role: a tenant
 * administrator grants those by hand.
 */
const WORKFLOW_GRANTS: readonly Role[] = ["employee", "manager", "recruiter"];

/**
 * No privilege escalation: a caller grants only roles it holds itself (so
 * only a tenant admin grants tenant_admin), and acts as an administrator
 * (roles, status, password reset) only on accounts granting no role it
 * lacks, so nobody takes over a login stronger than their own.
 */
export function requireHeldRoles(callerRoles: readonly string[], roles: readonly Role[], of: string): void {
  const held = callerRoles.includes(WORKFLOW_SERVICE) ? [...callerRoles, ...WORKFLOW_GRANTS] : callerRoles;
  const missing = roles.filter((role) => !held.includes(role));
  if (missing.length > 0) {
    throw permissionDenied(
      ErrorReason.ROLE_NOT_HELD,
      `the caller does not hold ${missing.join(", ")}, which ${of} grants`,
    );
  }
}

/** The administrator of another account: holds every role it grants. */
export function requireAdministers(callerRoles: readonly string[], a: Account): void {
  requireHeldRoles(callerRoles, a.roles, `account ${a.id}`);
}

/**
 * Who may disable an account: its administrator, or the workflow service
 * whatever roles the account grants. Offboarding disables a terminated
 * person's login, a tenant admin's too: disabling grants nothing, and the
 * termination it acts on was recorded by HR in people, not asked for here.
 */
export function requireMayDisable(callerRoles: readonly string[], a: Account): void {
  if (!callerRoles.includes(WORKFLOW_SERVICE)) requireAdministers(callerRoles, a);
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
    const reason = a.status === "locked" ? ErrorReason.ACCOUNT_LOCKED : ErrorReason.ACCOUNT_DISABLED;
    throw failedPrecondition(reason, subject(a.id), `account ${a.id} is ${a.status}; an administrator must act`);
  }
  return { verifyCurrentPassword: own };
}

/** One refusal for a wrong current password and for an attempt during a wait of the throttle, like sign-ins. */
export function currentPasswordIncorrect() {
  const description = "is not the account's current password, or too many failed attempts: wait and try again";
  const violation = { field: "current_password", description };
  return invalidArgument([violation], ErrorReason.CURRENT_PASSWORD_INCORRECT);
}

/** A new password also ends a run of failed verifications, and so any wait (it does not unlock). */
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
    throw failedPrecondition(
      ErrorReason.ACCOUNT_ALREADY_DISABLED,
      subject(a.id),
      `account ${a.id} is already disabled`,
    );
  }
  return { ...a, status: "disabled", ...bump(a, now) };
}

/** Enables a disabled account or unlocks a locked one, with a fresh failure counter. */
export function enableAccount(a: Account, now: string): Account {
  if (a.status === "active") {
    throw failedPrecondition(ErrorReason.ACCOUNT_ALREADY_ACTIVE, subject(a.id), `account ${a.id} is already active`);
  }
  return { ...a, status: "active", failedVerifications: 0, ...bump(a, now) };
}

/**
 * The outcome of a password check against this account. Only an active
 * account can be accepted or count failures, and only outside a wait of the
 * throttle: an attempt during one is refused and not counted, whatever the
 * password, so a stranger cannot lengthen the owner's wait by trying. A
 * failure never changes the status. Returns the same object when nothing
 * changes.
 */
export function recordVerification(a: Account, passwordMatches: boolean, now: string, throttle: SignInThrottle) {
  if (a.status !== "active" || isThrottled(a, now, throttle)) return { accepted: false, account: a };
  if (passwordMatches) {
    const account = a.failedVerifications === 0 ? a : { ...a, failedVerifications: 0, ...bump(a, now) };
    return { accepted: true, account };
  }
  const failed = { failedVerifications: a.failedVerifications + 1, lastFailureTime: now };
  return { accepted: false, account: { ...a, ...failed, ...bump(a, now) } };
}
