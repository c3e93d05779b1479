import {
  EmployeeHired,
  EmployeeTerminated,
  protobufPackage,
} from "../../../generated/proto/hr/employee/v1/employee_events.js";
import { type DomainEvent, domainEvent } from "../../../runtime/events/envelope.js";
import type { EventSource } from "../../../runtime/events/outbox.js";
import type { Employee } from "./employee.js";

/** The employee context's events travel on the people stream, about hr.employee.v1.Employee. */
export const EMPLOYEE_EVENTS: EventSource = { stream: "people", aggregateType: `${protobufPackage}.Employee` };

/** What a saved hire publishes. */
export function hiredEvents(hired: Employee): DomainEvent[] {
  return [
    domainEvent(EmployeeHired, `${protobufPackage}.EmployeeHired`, {
      employeeId: hired.id,
      departmentId: hired.departmentId,
      managerId: hired.managerId ?? "",
      givenName: hired.givenName,
      familyName: hired.familyName,
      workEmail: hired.workEmail,
      jobTitle: hired.jobTitle,
      hireDate: hired.hireDate,
    }),
  ];
}

/** What a saved change publishes: a termination; other changes publish nothing yet. */
export function changeEvents(changed: Employee, before: Employee): DomainEvent[] {
  if (changed.status !== "terminated" || before.status === "terminated") return [];
  return [
    domainEvent(EmployeeTerminated, `${protobufPackage}.EmployeeTerminated`, {
      employeeId: changed.id,
      managerId: changed.managerId ?? "",
      departmentId: changed.departmentId,
      effectiveDate: changed.terminationDate ?? "",
    }),
  ];
}
