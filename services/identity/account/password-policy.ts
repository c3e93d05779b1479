import type { FieldChecks } from "../../../runtime/domain/validation.js";

/**
 * What a new password must be, and what a typed login may look like. Pure:
 * hashing lives in password-hash.ts. No description ever quotes the value,
 * since it is a secret.
 */

export const PASSWORD_LENGTH = { min: 12, max: 128 } as const;
/** Bounds of what VerifyCredentials reads at all; older, looser policies must still verify. */
const TYPED_LOGIN_MAX = 254;
const TYPED_PASSWORD_MAX = 1024;

// With the u flag a surrogate pair is one code point, so only lone halves match.
const LONE_SURROGATE = /\p{Cs}/u;

/** Code points of `value`, or Infinity without counting when it cannot be within `max`. */
function lengthUpTo(value: string, max: number): number {
  return value.length > 2 * max ? Number.POSITIVE_INFINITY : [...value].length;
}

/**
 * A password someone sets (CreateAccount, ChangePassword): 12 to 128
 * characters, not one character repeated, not the login name in any case.
 * `loginName` is the normalized (trimmed, lower-case) login name.
 */
export function checkNewPassword(checks: FieldChecks, field: string, password: string, loginName: string): void {
  if (password === "") {
    checks.check(field, false, "is required");
    return;
  }
  const length = lengthUpTo(password, PASSWORD_LENGTH.max);
  const { min, max } = PASSWORD_LENGTH;
  if (!checks.check(field, length >= min && length <= max, `must be ${min} to ${max} characters`)) return;
  if (!checks.check(field, !LONE_SURROGATE.test(password), "must be valid Unicode")) return;
  checks.check(field, new Set(password).size > 1, "must not be one character repeated");
  checks.check(field, password.trim().toLowerCase() !== loginName, "must not be the login name");
}

/**
 * The shape of typed credentials: present and not absurdly long. Anything
 * else, even a login name that is no email address, is left to the uniform
 * INVALID_CREDENTIALS answer so the refusal tells nothing about accounts.
 */
export function checkTypedCredentials(checks: FieldChecks, loginName: string, password: string): void {
  const login = loginName.trim();
  checks.check("login_name", login !== "", "is required");
  checks.storable("login_name", login);
  checks.check(
    "login_name",
    lengthUpTo(login, TYPED_LOGIN_MAX) <= TYPED_LOGIN_MAX,
    `must be at most ${TYPED_LOGIN_MAX} characters`,
  );
  checks.check("password", password !== "", "is required");
  checks.check(
    "password",
    lengthUpTo(password, TYPED_PASSWORD_MAX) <= TYPED_PASSWORD_MAX,
    `must be at most ${TYPED_PASSWORD_MAX} characters`,
  );
}

/** Login names are compared trimmed and lower-case, as stored. */
export function normalizeLoginName(raw: string): string {
  return raw.trim().toLowerCase();
}
