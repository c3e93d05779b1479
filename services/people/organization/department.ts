import { ErrorReason } from "../../../generated/proto/hr/organization/v1/error_reason.js";
import { failedPrecondition, notFound } from "../../../runtime/domain/domain-error.js";
import { FieldChecks } from "../../../runtime/domain/validation.js";

/**
 * Department, the aggregate root of the organization context. Pure: the
 * caller loads related departments and passes `now`; every command returns
 * a new object or throws a DomainError.
 */

export type DepartmentStatus = "active" | "archived";

export interface Department {
  id: string;
  tenantId: string;
  name: string;
  code: string;
  parentId: string | null;
  headEmployeeId: string | null;
  status: DepartmentStatus;
  version: number;
  createTime: string;
  updateTime: string;
}

export interface NewDepartment {
  id: string;
  tenantId: string;
  name: string;
  code: string;
  parentId: string | null;
  headEmployeeId: string | null;
}

/** Fields UpdateDepartment may change; `undefined` leaves a field as it is. */
export interface DepartmentChanges {
  name?: string;
  code?: string;
  headEmployeeId?: string | null;
}

// Checked before upper-casing so that e.g. "ſ" cannot sneak in as "S".
const CODE = /^[A-Za-z0-9_-]+$/;

const subject = (id: string): string => `departments/${id}`;

export function createDepartment(input: NewDepartment, parent: Department | null, now: string): Department {
  const checks = new FieldChecks();
  const name = checkName(checks, input.name);
  const code = checkCode(checks, input.code);
  const parentId = checkOptionalId(checks, "parent_department_id", input.parentId);
  const headEmployeeId = checkOptionalId(checks, "head_employee_id", input.headEmployeeId);
  checks.throwIfAny();
  if (parentId === null) {
    if (parent !== null) throw new Error(`department ${parent.id} passed as parent of a top-level department`);
  } else {
    if (parent === null || parent.tenantId !== input.tenantId)
      throw notFound(ErrorReason.DEPARTMENT_NOT_FOUND, parentId);
    if (parent.id !== parentId) throw new Error(`department ${parent.id} passed as parent ${parentId}`);
    assertParentActive(parent);
  }
  const { id, tenantId } = input;
  return {
    id,
    tenantId,
    name,
    code,
    parentId,
    headEmployeeId,
    status: "active",
    version: 1,
    createTime: now,
    updateTime: now,
  };
}

export function updateDepartment(d: Department, changes: DepartmentChanges, now: string): Department {
  const checks = new FieldChecks();
  const name = changes.name === undefined ? d.name : checkName(checks, changes.name);
  const code = changes.code === undefined ? d.code : checkCode(checks, changes.code);
  const headEmployeeId =
    changes.headEmployeeId === undefined
      ? d.headEmployeeId
      : checkOptionalId(checks, "head_employee_id", changes.headEmployeeId);
  checks.throwIfAny();
  assertActive(d);
  return { ...d, name, code, headEmployeeId, version: d.version + 1, updateTime: now };
}

/** `ancestorIdsOfNewParent` lists the new parent's ancestors, so a move under a descendant is caught. */
export function moveDepartment(
  d: Department,
  newParent: Department | null,
  ancestorIdsOfNewParent: readonly string[],
  now: string,
): Department {
  assertActive(d);
  if (newParent !== null) {
    if (newParent.tenantId !== d.tenantId) throw notFound(ErrorReason.DEPARTMENT_NOT_FOUND, newParent.id);
    if (newParent.id === d.id || ancestorIdsOfNewParent.includes(d.id)) {
      throw failedPrecondition(
        ErrorReason.DEPARTMENT_CYCLE,
        subject(d.id),
        `cannot move department ${d.id} under department ${newParent.id}: that is the department itself or one of its descendants`,
      );
    }
    assertParentActive(newParent);
  }
  return { ...d, parentId: newParent?.id ?? null, version: d.version + 1, updateTime: now };
}

export function archiveDepartment(d: Department, activeChildCount: number, now: string): Department {
  assertActive(d);
  if (activeChildCount > 0) {
    throw failedPrecondition(
      ErrorReason.DEPARTMENT_HAS_ACTIVE_CHILDREN,
      subject(d.id),
      `department ${d.id} still has ${activeChildCount} active child department(s); archive or move them first`,
    );
  }
  return { ...d, status: "archived", version: d.version + 1, updateTime: now };
}

function assertActive(d: Department): void {
  if (d.status === "archived") {
    throw failedPrecondition(
      ErrorReason.DEPARTMENT_ARCHIVED,
      subject(d.id),
      `department ${d.id} is archived and read-only`,
    );
  }
}

function assertParentActive(parent: Department): void {
  if (parent.status === "archived") {
    throw failedPrecondition(
      ErrorReason.PARENT_DEPARTMENT_ARCHIVED,
      subject(parent.id),
      `parent department ${parent.id} is archived and cannot receive children`,
    );
  }
}

function checkName(checks: FieldChecks, raw: string): string {
  const name = raw.trim();
  checks.text("name", name, { min: 1, max: 200 });
  return name;
}

function checkCode(checks: FieldChecks, raw: string): string {
  const code = raw.trim();
  if (checks.text("code", code, { min: 1, max: 32 })) {
    checks.check("code", CODE.test(code), 'may contain only letters A-Z, digits, "-" and "_"');
  }
  return code.toUpperCase();
}

/** "" and null both mean "none"; ids are stored lower-case like Postgres prints them. */
function checkOptionalId(checks: FieldChecks, field: string, raw: string | null): string | null {
  if (raw === null || raw === "") return null;
  checks.uuid(field, raw);
  return raw.toLowerCase();
}
