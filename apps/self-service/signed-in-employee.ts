import { ErrorReason } from "../../generated/proto/hr/selfservice/v1/error_reason.js";
import type { Caller } from "../../runtime/auth/caller.js";
import { failedPrecondition } from "../../runtime/domain/domain-error.js";
import type { Access } from "../../runtime/server/authorization.js";
import type { AuthenticatedContext } from "../../runtime/server/call-scope.js";

/** A call as self-service handlers see it: the verified caller and its access to the method. */
export type SelfServiceCall = AuthenticatedContext & { access: Access };

/**
 * The employee the caller is: the token's `employee_id`, which the session
 * app copies from the login's identity account. Never a request field, so
 * there is no id to tamper with. A login linked to no employee has no
 * records and no reports: FAILED_PRECONDITION (its state, not its rights,
 * is what is missing; linking the account fixes it).
 */
export function signedInEmployee(caller: Caller): string {
  if (caller.employeeId === undefined) {
    throw failedPrecondition(
      ErrorReason.EMPLOYEE_LINK_REQUIRED,
      `accounts/${caller.userId}`,
      "this login is not linked to an employee",
    );
  }
  return caller.employeeId;
}

/** Whether an employee id (as a data service returns it) is the caller's own. */
export function isCallers(caller: Caller, employeeId: string): boolean {
  return caller.employeeId !== undefined && employeeId.toLowerCase() === caller.employeeId;
}
