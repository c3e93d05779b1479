/**
 * Errors the domain and repositories raise. Plain TypeScript, no gRPC: the
 * server's error-mapping middleware turns each kind into a status code with
 * google.rpc details, so handlers never catch and translate by hand.
 *
 * Every reason is a value of a proto package's generated `ErrorReason` enum
 * (`generated/proto/hr/<context>/v1/error_reason.ts`), which the domain
 * imports: the enum is the contract's vocabulary for failures, not gRPC, and
 * importing it is what makes a reason the contract lacks fail to compile.
 * Those enums are generated as string enums whose values are the names
 * ErrorInfo.reason carries, so a reason is sent as it is thrown.
 */
import { ErrorReason as RuntimeReason } from "../../generated/proto/hr/runtime/v1/error_reason.js";

/**
 * A value of a string enum, such as a package's generated `ErrorReason`:
 * a string literal or a `string` is refused at compile time
 * (`failedPrecondition("EMPLOYEE_NOT_PENDING", ...)` does not compile;
 * `failedPrecondition(ErrorReason.EMPLOYEE_NOT_PENDING, ...)` does).
 * TypeScript cannot tell a generated enum from a hand-written one, nor one
 * package's from another's (there is no hand-written one: even the runtime's
 * own, RuntimeReason, is generated), and a reason the method's package does
 * not declare is answered INTERNAL (runtime/server/error-mapping.ts).
 */
export type ContractReason<R extends string> = R extends string
  ? `${R}` extends R
    ? { "a reason is a generated ErrorReason value, not a string": R }
    : R
  : never;

/**
 * The reasons the shared runtime raises (hr.runtime.v1.ErrorReason,
 * proto/hr/runtime/v1/error_reason.proto): request validation, request ids,
 * etags and page tokens in any context that uses it, each context's
 * ErrorReason enum declaring again by the same names the ones its methods can
 * meet (test/contracts/error-reasons.test.ts derives which from the
 * contract); and OVERLOADED, which admission sends for any method of any
 * server and only hr.runtime.v1 declares.
 */
export { RuntimeReason };

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
 * A refusal with a stable, machine-readable `reason` (UPPER_SNAKE_CASE, the
 * ErrorInfo.reason clients switch on); `message` is for humans and may change.
 */
export class DomainError<R extends string = string> extends Error {
  readonly reason: string;

  constructor(
    readonly kind: DomainErrorKind,
    reason: R & ContractReason<R>,
    message: string,
    readonly fieldViolations: readonly FieldViolation[] = [],
    readonly preconditionViolations: readonly PreconditionViolation[] = [],
  ) {
    super(message);
    this.name = "DomainError";
    this.reason = reason;
  }
}

/** The request is malformed; lists every bad field at once. The reason is INVALID_ARGUMENT unless given. */
export function invalidArgument<R extends string>(
  violations: readonly FieldViolation[],
  reason?: R & ContractReason<R>,
): DomainError {
  const summary = violations.map((v) => `${v.field}: ${v.description}`).join("; ");
  const given = reason ?? RuntimeReason.INVALID_ARGUMENT;
  return new DomainError<R | RuntimeReason>("invalid_argument", given, `invalid request: ${summary}`, violations);
}

/**
 * No such resource in the caller's tenant (also for resources of other
 * tenants). The message names the resource after the reason:
 * LEAVE_REQUEST_NOT_FOUND → "leave_request <id> not found".
 */
export function notFound<R extends `${string}_NOT_FOUND`>(reason: R & ContractReason<R>, id: string): DomainError {
  const resource = reason.slice(0, -"_NOT_FOUND".length).toLowerCase();
  return new DomainError("not_found", reason, `${resource} ${id} not found`);
}

/** A uniqueness rule would be broken, e.g. a work email already in use. */
export function alreadyExists<R extends string>(
  reason: R & ContractReason<R>,
  message: string,
  field: string,
): DomainError {
  return new DomainError("already_exists", reason, message, [{ field, description: message }]);
}

/** The aggregate's state does not allow the command. */
export function failedPrecondition<R extends string>(
  reason: R & ContractReason<R>,
  subject: string,
  message: string,
): DomainError {
  return new DomainError("failed_precondition", reason, message, [], [{ type: reason, subject, description: message }]);
}

/** Credentials a request carries (not the caller's token) were refused; tells nothing more than `reason`. */
export function unauthenticated<R extends string>(reason: R & ContractReason<R>, message: string): DomainError {
  return new DomainError("unauthenticated", reason, message);
}

/** The caller may call the method, but not with this request (e.g. grant a role it does not hold). */
export function permissionDenied<R extends string>(reason: R & ContractReason<R>, message: string): DomainError {
  return new DomainError("permission_denied", reason, message);
}

/** The caller's etag is stale: someone else changed the aggregate first. */
export function etagMismatch(subject: string): DomainError {
  return new DomainError(
    "aborted",
    RuntimeReason.ETAG_MISMATCH,
    `${subject} was changed by someone else; read it again and retry with its new etag`,
    [],
    [{ type: RuntimeReason.ETAG_MISMATCH, subject, description: "etag does not match the current version" }],
  );
}
