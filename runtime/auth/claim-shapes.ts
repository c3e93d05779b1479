/**
 * The shapes a caller token's claims must have before anything downstream
 * sees them: a tenant id or subject becomes a SQL parameter, a log field and
 * a cache key, so a NUL byte or kilobytes of text must stop at the door
 * (UNAUTHENTICATED), not reach PostgreSQL (INTERNAL).
 */

/** Tenant ids: 1 to 64 characters of letters, digits and `._:-`. */
export const TENANT_ID = /^[A-Za-z0-9._:-]{1,64}$/;
/** Subjects (user or service ids): 1 to 128 characters of the same set. */
export const SUBJECT = /^[A-Za-z0-9._:-]{1,128}$/;
/** Employee ids (the `employee_id` claim): a UUID, in either case. */
export const EMPLOYEE_ID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
/** A role name as tokens carry it, e.g. "hr_admin": lower-case snake case, at most 32 characters. */
export const ROLE = /^[a-z][a-z0-9_]{0,31}$/;
/** More roles than any caller holds; a longer list is not a token we issued. */
export const MAX_ROLES = 16;

/** The roles claim as a checked list, or undefined when it is not a bounded list of role names. */
export function rolesOf(claim: unknown): string[] | undefined {
  if (claim === undefined) return [];
  if (!Array.isArray(claim) || claim.length > MAX_ROLES) return undefined;
  return claim.every((role) => typeof role === "string" && ROLE.test(role)) ? (claim as string[]) : undefined;
}
