import type { Employee as EmployeeModel } from "../../../generated/prisma/people/client.js";
import { ErrorReason } from "../../../generated/proto/hr/employee/v1/error_reason.js";
import { isUniqueViolation, type Sql, sql } from "../../../runtime/db/sql.js";
import { date, type Stored, Table, timestamp } from "../../../runtime/db/table.js";
import { alreadyExists, etagMismatch } from "../../../runtime/domain/domain-error.js";
import { type Outbox, recordIn } from "../../../runtime/events/outbox.js";
import type { DepartmentState } from "./department-placement.js";
import type { Employee, EmployeeStatus } from "./employee.js";
import { changeEvents, EMPLOYEE_EVENTS, hiredEvents } from "./employee-events.js";

/** List filters; each one set narrows the list (AND). */
export interface EmployeeFilter {
  departmentId: string | undefined;
  managerId: string | undefined;
  /** Direct reports of any of these managers (lower case, no duplicates); undefined: any. */
  managerIds: readonly string[] | undefined;
  status: EmployeeStatus | undefined;
}

const employees = new Table<EmployeeModel>("employees", {
  id: "id",
  tenantId: "tenant_id",
  givenName: "given_name",
  familyName: "family_name",
  workEmail: "work_email",
  jobTitle: "job_title",
  departmentId: "department_id",
  managerId: "manager_id",
  hireDate: date("hire_date"),
  status: "status",
  terminationDate: date("termination_date"),
  version: "version",
  createTime: timestamp("create_time"),
  updateTime: timestamp("update_time"),
});

const GET = sql(`SELECT ${employees.selectList()} FROM employees WHERE tenant_id = $1 AND id = $2::uuid`);
const GET_MANY = sql(`SELECT ${employees.selectList()} FROM employees WHERE tenant_id = $1 AND id = ANY($2::uuid[])`);
// Each filter is either null (any) or a value; ids are time-ordered UUIDv7, so id order is hiring order.
const LIST = sql(`
  SELECT ${employees.selectList()} FROM employees
  WHERE tenant_id = $1
    AND ($2::uuid IS NULL OR department_id = $2::uuid)
    AND ($3::uuid IS NULL OR manager_id = $3::uuid)
    AND ($4::text IS NULL OR status = $4::text)
    AND ($5::uuid IS NULL OR id > $5::uuid)
    AND ($7::uuid[] IS NULL OR manager_id = ANY($7::uuid[]))
  ORDER BY id LIMIT $6`);
// FOR SHARE: an archive (an UPDATE of the row) waits until the hire or
// transfer that read the department as active has committed, and a hire
// waits for an archive in progress and then sees it.
const LOCK_DEPARTMENT = sql(
  "SELECT id::text AS id, status FROM departments WHERE tenant_id = $1 AND id = $2::uuid FOR SHARE",
);
const INSERT = employees.insertStatement();
const UPDATE = employees.versionedUpdateStatement();

/**
 * Loads and saves Employee aggregates; every query is scoped by tenant. Bound
 * to a command's transaction, its saves record their events in the command's
 * outbox.
 */
export class EmployeeRepository {
  constructor(
    private readonly sql: Sql,
    private readonly outbox?: Outbox,
  ) {}

  async get(tenantId: string, id: string): Promise<Employee | undefined> {
    const [row] = await this.sql.rows<Stored<EmployeeModel>>(GET, [tenantId, id]);
    return row && toDomain(row);
  }

  async getMany(tenantId: string, ids: readonly string[]): Promise<Employee[]> {
    return (await this.sql.rows<Stored<EmployeeModel>>(GET_MANY, [tenantId, ids])).map(toDomain);
  }

  /** One page in hiring order, after `afterId` when given. */
  async list(tenantId: string, filter: EmployeeFilter, afterId: string | undefined, limit: number) {
    const { departmentId, managerId, managerIds, status } = filter;
    const values = [
      ...[tenantId, departmentId ?? null, managerId ?? null, status ?? null, afterId ?? null, limit],
      managerIds ?? null,
    ];
    return (await this.sql.rows<Stored<EmployeeModel>>(LIST, values)).map(toDomain);
  }

  /**
   * The department of the tenant an employee is placed in, locked FOR SHARE
   * until the transaction ends, so it cannot be archived before the
   * placement commits; undefined when the tenant has no such department.
   */
  async lockDepartment(tenantId: string, departmentId: string): Promise<DepartmentState | undefined> {
    const [row] = await this.sql.rows<DepartmentState>(LOCK_DEPARTMENT, [tenantId, departmentId]);
    return row;
  }

  async insert(employee: Employee): Promise<void> {
    await this.sql.count(INSERT, employees.valuesOf(employee)).catch(translateUniqueViolation);
    await recordIn(this.outbox, EMPLOYEE_EVENTS, employee, hiredEvents(employee));
  }

  /** Saves a changed employee if it is still at the version of `before`; ABORTED otherwise. */
  async update(employee: Employee, before: Employee): Promise<void> {
    const values = [...employees.valuesOf(employee), before.version];
    const count = await this.sql.count(UPDATE, values).catch(translateUniqueViolation);
    if (count === 0) throw etagMismatch(`employees/${employee.id}`);
    await recordIn(this.outbox, EMPLOYEE_EVENTS, employee, changeEvents(employee, before));
  }
}

function translateUniqueViolation(error: unknown): never {
  if (isUniqueViolation(error, "employees_tenant_id_work_email_key")) {
    throw alreadyExists(
      ErrorReason.WORK_EMAIL_TAKEN,
      "another employee of the tenant already has this work email",
      "work_email",
    );
  }
  throw error;
}

const toDomain = (row: Stored<EmployeeModel>): Employee => ({ ...row, status: row.status as EmployeeStatus });
