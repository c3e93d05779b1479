import { ErrorReason } from "../../../generated/proto/hr/employee/v1/error_reason.js";
import { failedPrecondition, invalidArgument, notFound } from "../../../runtime/domain/domain-error.js";
import { FieldChecks } from "../../../runtime/domain/validation.js";

/**
 * Employee, the aggregate root of the employee context:
 * pending → active → terminated (a pending hire may be terminated too).
 * Pure: the caller loads the manager and passes `now`; every command returns
 * a new object or throws a DomainError.
 */

export type EmployeeStatus = "pending" | "active" | "terminated";

export interface Employee {
  id: string;
  tenantId: string;
  givenName: string;
  familyName: string;
  workEmail: string;
  jobTitle: string;
  departmentId: string;
  managerId: string | null;
  hireDate: string;
  status: EmployeeStatus;
  terminationDate: string | null;
  version: number;
  createTime: string;
  updateTime: string;
}

export interface NewHire {
  id: string;
  tenantId: string;
  givenName: string;
  familyName: string;
  workEmail: string;
  jobTitle: string;
  departmentId: string;
  managerId: string | null;
  hireDate: string;
}

/** Fields UpdateEmployee may change; `undefined` leaves a field as it is. */
export interface EmployeeChanges {
  givenName?: string;
  familyName?: string;
  workEmail?: string;
  jobTitle?: string;
}

export interface Placement {
  departmentId: string;
  managerId: string | null;
}

const subject = (id: string): string => `employees/${id}`;

export function hireEmployee(input: NewHire, manager: Employee | null, now: string): Employee {
  const checks = new FieldChecks();
  const givenName = checkName(checks, "given_name", input.givenName);
  const familyName = checkName(checks, "family_name", input.familyName);
  const workEmail = checkEmail(checks, input.workEmail);
  const jobTitle = checkTitle(checks, input.jobTitle);
  const placement = checkPlacement(checks, input);
  checks.isoDate("hire_date", input.hireDate);
  checks.throwIfAny();
  refuseSelfManagement(input.id, placement.managerId);
  checkManager(input.tenantId, placement.managerId, manager);
  const { id, tenantId, hireDate } = input;
  const personal = { givenName, familyName, workEmail, jobTitle };
  const lifecycle = { status: "pending", terminationDate: null, version: 1, createTime: now, updateTime: now } as const;
  return { id, tenantId, ...personal, ...placement, hireDate, ...lifecycle };
}

export function updateEmployee(e: Employee, changes: EmployeeChanges, now: string): Employee {
  const checks = new FieldChecks();
  const { givenName: given, familyName: family, workEmail: email, jobTitle: title } = changes;
  const givenName = given === undefined ? e.givenName : checkName(checks, "given_name", given);
  const familyName = family === undefined ? e.familyName : checkName(checks, "family_name", family);
  const workEmail = email === undefined ? e.workEmail : checkEmail(checks, email);
  const jobTitle = title === undefined ? e.jobTitle : checkTitle(checks, title);
  checks.throwIfAny();
  assertNotTerminated(e);
  return { ...e, givenName, familyName, workEmail, jobTitle, version: e.version + 1, updateTime: now };
}

export function activateEmployee(e: Employee, now: string): Employee {
  assertNotTerminated(e);
  if (e.status !== "pending") {
    throw failedPrecondition(
      ErrorReason.EMPLOYEE_NOT_PENDING,
      subject(e.id),
      `employee ${e.id} is ${e.status}, not pending`,
    );
  }
  return { ...e, status: "active", version: e.version + 1, updateTime: now };
}

export function transferEmployee(e: Employee, to: Placement, manager: Employee | null, now: string): Employee {
  const checks = new FieldChecks();
  const placement = checkPlacement(checks, to);
  checks.throwIfAny();
  refuseSelfManagement(e.id, placement.managerId);
  assertNotTerminated(e);
  checkManager(e.tenantId, placement.managerId, manager);
  return { ...e, ...placement, version: e.version + 1, updateTime: now };
}

export function terminateEmployee(e: Employee, effectiveDate: string, now: string): Employee {
  const checks = new FieldChecks();
  if (checks.isoDate("effective_date", effectiveDate)) {
    // ISO dates compare correctly as strings.
    checks.check("effective_date", effectiveDate >= e.hireDate, `must not be before hire_date ${e.hireDate}`);
  }
  checks.throwIfAny();
  assertNotTerminated(e);
  return { ...e, status: "terminated", terminationDate: effectiveDate, version: e.version + 1, updateTime: now };
}

function assertNotTerminated(e: Employee): void {
  if (e.status === "terminated") {
    throw failedPrecondition(
      ErrorReason.EMPLOYEE_TERMINATED,
      subject(e.id),
      `employee ${e.id} is terminated and read-only`,
    );
  }
}

function refuseSelfManagement(employeeId: string, managerId: string | null): void {
  if (managerId !== null && managerId === employeeId.toLowerCase()) {
    const violation = { field: "manager_id", description: "an employee cannot be their own manager" };
    throw invalidArgument([violation], ErrorReason.SELF_MANAGEMENT);
  }
}

/** The caller loads the manager; a missing or foreign one is reported as not found all the same. */
function checkManager(tenantId: string, managerId: string | null, manager: Employee | null): void {
  if (managerId === null) {
    if (manager !== null) throw new Error(`employee ${manager.id} passed as manager while manager_id is empty`);
    return;
  }
  if (manager === null || manager.tenantId !== tenantId) throw notFound(ErrorReason.EMPLOYEE_NOT_FOUND, managerId);
  if (manager.id.toLowerCase() !== managerId) throw new Error(`employee ${manager.id} passed as manager ${managerId}`);
  if (manager.status === "terminated") {
    throw failedPrecondition(
      ErrorReason.MANAGER_TERMINATED,
      subject(manager.id),
      `manager ${manager.id} is terminated`,
    );
  }
}

function checkName(checks: FieldChecks, field: string, raw: string): string {
  const name = raw.trim();
  checks.text(field, name, { min: 1, max: 100 });
  return name;
}

function checkEmail(checks: FieldChecks, raw: string): string {
  const email = raw.trim().toLowerCase();
  checks.email("work_email", email);
  return email;
}

function checkTitle(checks: FieldChecks, raw: string): string {
  const title = raw.trim();
  checks.text("job_title", title, { min: 0, max: 200 });
  return title;
}

/** "" and null both mean "no manager"; ids are stored lower-case like Postgres prints them. */
function checkPlacement(checks: FieldChecks, to: Placement): Placement {
  checks.uuid("department_id", to.departmentId);
  checks.optionalUuid("manager_id", to.managerId ?? "");
  return { departmentId: to.departmentId.toLowerCase(), managerId: to.managerId ? to.managerId.toLowerCase() : null };
}
