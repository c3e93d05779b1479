import {
  type Employee as EmployeeMessage,
  EmployeeStatus,
} from "../../../generated/proto/hr/employee/v1/employee_service.js";
import { etagOf } from "../../../runtime/domain/etag.js";
import { FieldChecks } from "../../../runtime/domain/validation.js";
import type { Employee, EmployeeStatus as Status } from "./employee.js";

const STATUS_TO_PROTO: Record<Status, EmployeeStatus> = {
  pending: EmployeeStatus.EMPLOYEE_STATUS_PENDING,
  active: EmployeeStatus.EMPLOYEE_STATUS_ACTIVE,
  terminated: EmployeeStatus.EMPLOYEE_STATUS_TERMINATED,
};

/** The aggregate as clients see it. */
export function toEmployeeMessage(e: Employee): EmployeeMessage {
  return {
    id: e.id,
    givenName: e.givenName,
    familyName: e.familyName,
    workEmail: e.workEmail,
    jobTitle: e.jobTitle,
    departmentId: e.departmentId,
    managerId: e.managerId ?? "",
    hireDate: e.hireDate,
    status: STATUS_TO_PROTO[e.status],
    terminationDate: e.terminationDate ?? "",
    etag: etagOf(e.version),
    createTime: new Date(e.createTime),
    updateTime: new Date(e.updateTime),
  };
}

/** A status filter: UNSPECIFIED means any; a value this server does not know is INVALID_ARGUMENT. */
export function statusFilter(field: string, status: EmployeeStatus): Status | undefined {
  if (status === EmployeeStatus.EMPLOYEE_STATUS_UNSPECIFIED) return undefined;
  const match = (Object.keys(STATUS_TO_PROTO) as Status[]).find((s) => STATUS_TO_PROTO[s] === status);
  const checks = new FieldChecks();
  checks.check(field, match !== undefined, "is not a known employee status");
  checks.throwIfAny();
  return match;
}
