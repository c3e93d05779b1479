/**
 * Errors the domain and repositories raise. Plain TypeScript, no gRPC: the
 * server's error-mapping middleware turns each kind into a status code with
 * google.rpc details, so handlers never catch and translate by hand.
 */

/** One invalid field of a request, e.g. { field: "work_email", description: "must be an email address" }. */
export interface FieldViolation {
  field: string;
  description: string;
}

/** A rule the current state of an aggregate does not allow, e.g. { type: "STATUS", subject: "employee/123", description: "..." }. */
export interface PreconditionViolation {
  type: string;
  subject: string;
  description: string;
}

export type DomainErrorKind =
  | "invalid_argument"
  | "not_found"
  | "already_exists"
  | "failed_precondition"
  | "aborted"
  | "unauthenticated"
  | "permission_denied";

/**
 * A refusal with a stable, machine-readable `reason` (UPPER_SNAKE_CASE) that
 * clients can switch on; `message` is for humans and may change.
 */
export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly reason: string,
    message: string,
    readonly fieldViolations: readonly FieldViolation[] = [],
    readonly preconditionViolations: readonly PreconditionViolation[] = [],
  ) {
    super(message);
    this.name = "DomainError";
  }
}

/** The request is malformed; lists every bad field at once. */
export function invalidArgument(violations: readonly FieldViolation[], reason = "INVALID_ARGUMENT"): DomainError {
  const summary = violations.map((v) => `${v.field}: ${v.description}`).join("; ");
  return new DomainError("invalid_argument", reason, `invalid request: ${summary}`, violations);
}

/** No such resource in the caller's tenant (also for resources of other tenants). */
export function notFound(resource: string, id: string): DomainError {
  return new DomainError("not_found", `${resource.toUpperCase()}_NOT_FOUND`, `${resource} ${id} not found`);
}

/** A uniqueness rule would be broken, e.g. a work email already in use. */
export function alreadyExists(reason: string, message: string, field: string): DomainError {
  return new DomainError("already_exists", reason, message, [{ field, description: message }]);
}

/** The aggregate's state does not allow the command. */
export function failedPrecondition(reason: string, subject: string, message: string): DomainError {
  return new DomainError("failed_precondition", reason, message, [], [{ type: reason, subject, description: message }]);
}

/** Credentials a request carries (not the caller's token) were refused; tells nothing more than `reason`. */
export function unauthenticated(reason: string, message: string): DomainError {
  return new DomainError("unauthenticated", reason, message);
}

/** The caller may call the method, but not with this request (e.g. grant a role it does not hold). */
export function permissionDenied(reason: string, message: string): DomainError {
  return new DomainError("permission_denied", reason, message);
}

/** The caller's etag is stale: someone else changed the aggregate first. */
export function etagMismatch(subject: string): DomainError {
  return new DomainError(
    "aborted",
    "ETAG_MISMATCH",
    `${subject} was changed by someone else; read it again and retry with its new etag`,
    [],
    [{ type: "ETAG_MISMATCH", subject, description: "etag does not match the current version" }],
  );
}
