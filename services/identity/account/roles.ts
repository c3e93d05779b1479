import type { FieldChecks } from "../../../runtime/domain/validation.js";

/**
 * The roles an account grants, named as in caller tokens. A role set is
 * stored and answered in this order, so equal sets always look the same.
 */
export const ROLES = ["employee", "manager", "hr_admin", "tenant_admin", "recruiter"] as const;
export type Role = (typeof ROLES)[number];

/** More entries than any real request needs; duplicates are allowed up to this. */
const MAX_ROLE_ENTRIES = 32;

/**
 * A role set as given: 1 to MAX_ROLE_ENTRIES entries, each a known role name
 * (an unknown one is reported by position, e.g. "roles[1]"); duplicates
 * collapse. Returns the set in ROLES order.
 */
export function checkRoles(checks: FieldChecks, given: readonly string[]): Role[] {
  const counted = given.length >= 1 && given.length <= MAX_ROLE_ENTRIES;
  if (!checks.check("roles", counted, `must hold 1 to ${MAX_ROLE_ENTRIES} roles`)) return [];
  for (const [i, role] of given.entries()) {
    checks.check(`roles[${i}]`, (ROLES as readonly string[]).includes(role), "is not a known role");
  }
  return ROLES.filter((role) => given.includes(role));
}
