import type { Employee as EmployeeRow } from "../../../generated/prisma/people/client.js";
import { type IdempotencyKey, recordResult } from "../../../runtime/db/idempotency.js";
import { isUniqueViolation } from "../../../runtime/db/prisma-errors.js";
import { TRANSACTION_OPTIONS } from "../../../runtime/db/transactions.js";
import { alreadyExists, etagMismatch } from "../../../runtime/domain/domain-error.js";
import type { PeopleDatabase, PeopleTransaction } from "../people-database.js";
import type { Employee, EmployeeStatus } from "./employee.js";

/** List filters; each one set narrows the list (AND). */
export interface EmployeeFilter {
  departmentId: string | undefined;
  managerId: string | undefined;
  status: EmployeeStatus | undefined;
}

/** Loads and saves Employee aggregates; every query is scoped by tenant. */
export class EmployeeRepository {
  constructor(private readonly db: PeopleDatabase | PeopleTransaction) {}

  async get(tenantId: string, id: string): Promise<Employee | undefined> {
    const row = await this.db.employee.findUnique({ where: { id, tenantId } });
    return row ? toDomain(row) : undefined;
  }

  async getMany(tenantId: string, ids: readonly string[]): Promise<Employee[]> {
    const rows = await this.db.employee.findMany({ where: { tenantId, id: { in: [...ids] } } });
    return rows.map(toDomain);
  }

  /** One page in id order (ids are time-ordered UUIDv7, so this is hiring order). */
  async list(tenantId: string, filter: EmployeeFilter, afterId: string | undefined, limit: number) {
    const rows = await this.db.employee.findMany({
      where: {
        tenantId,
        ...(filter.departmentId !== undefined && { departmentId: filter.departmentId }),
        ...(filter.managerId !== undefined && { managerId: filter.managerId }),
        ...(filter.status !== undefined && { status: filter.status }),
        ...(afterId !== undefined && { id: { gt: afterId } }),
      },
      orderBy: { id: "asc" },
      take: limit,
    });
    return rows.map(toDomain);
  }

  /** Inserts a new hire and records the request in the same transaction. */
  async insert(employee: Employee, key: IdempotencyKey): Promise<void> {
    await this.inTransaction(async (tx) => {
      await recordResult(tx, key, employee);
      await tx.employee.create({ data: toRow(employee) }).catch(translateUniqueViolation);
    });
  }

  /** Saves a changed employee if it is still at `expectedVersion`; ABORTED otherwise. */
  async update(employee: Employee, expectedVersion: number, key: IdempotencyKey): Promise<void> {
    await this.inTransaction(async (tx) => {
      await recordResult(tx, key, employee);
      const { count } = await tx.employee
        .updateMany({
          where: { tenantId: employee.tenantId, id: employee.id, version: expectedVersion },
          data: toRow(employee),
        })
        .catch(translateUniqueViolation);
      if (count === 0) throw etagMismatch(`employees/${employee.id}`);
    });
  }

  private inTransaction(work: (tx: PeopleTransaction) => Promise<void>): Promise<void> {
    return "$transaction" in this.db ? this.db.$transaction(work, TRANSACTION_OPTIONS) : work(this.db);
  }
}

function translateUniqueViolation(error: unknown): never {
  if (isUniqueViolation(error)) {
    throw alreadyExists("WORK_EMAIL_TAKEN", "another employee of the tenant already has this work email", "work_email");
  }
  throw error;
}

const toIsoDate = (d: Date) => d.toISOString().slice(0, 10);
const fromIsoDate = (s: string) => new Date(`${s}T00:00:00Z`);

function toDomain(row: EmployeeRow): Employee {
  return {
    ...row,
    status: row.status as EmployeeStatus,
    hireDate: toIsoDate(row.hireDate),
    terminationDate: row.terminationDate ? toIsoDate(row.terminationDate) : null,
    createTime: row.createTime.toISOString(),
    updateTime: row.updateTime.toISOString(),
  };
}

function toRow(e: Employee): EmployeeRow {
  return {
    ...e,
    hireDate: fromIsoDate(e.hireDate),
    terminationDate: e.terminationDate ? fromIsoDate(e.terminationDate) : null,
    createTime: new Date(e.createTime),
    updateTime: new Date(e.updateTime),
  };
}
