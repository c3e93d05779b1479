import { ErrorReason } from "../../../generated/proto/hr/employee/v1/error_reason.js";
import { DomainError } from "../../../runtime/domain/domain-error.js";

/**
 * The department an employee is placed in, as the employee context sees it:
 * its status only. Departments belong to the organization context of the
 * same database; the employee context reads them (never writes them) so a
 * hire or a transfer names one that exists and is open.
 */
export interface DepartmentState {
  id: string;
  status: "active" | "archived";
}

/**
 * Refuses a placement in a department of the tenant that does not exist
 * (another tenant's counts as none) or is archived. FAILED_PRECONDITION, not
 * INVALID_ARGUMENT: the request is well-formed and the same id is right or
 * wrong depending on the organization's current state (a department created
 * or archived a moment ago), and the client fixes it by choosing another
 * department. The field violation names `department_id` for forms.
 */
export function assertDepartmentOpen(departmentId: string, department: DepartmentState | undefined): void {
  if (department === undefined) {
    refuse(ErrorReason.UNKNOWN_DEPARTMENT, departmentId, `department ${departmentId} does not exist in the tenant`);
  }
  if (department.status === "archived") {
    refuse(
      ErrorReason.DEPARTMENT_ARCHIVED,
      departmentId,
      `department ${departmentId} is archived and takes no employees`,
    );
  }
}

function refuse(reason: ErrorReason, departmentId: string, message: string): never {
  const subject = `departments/${departmentId}`;
  throw new DomainError(
    "failed_precondition",
    reason,
    message,
    [{ field: "department_id", description: message }],
    [{ type: reason, subject, description: message }],
  );
}
