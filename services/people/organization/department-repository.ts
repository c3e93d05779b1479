import type { Department as DepartmentRow } from "../../../generated/prisma/people/client.js";
import { type IdempotencyKey, recordResult } from "../../../runtime/db/idempotency.js";
import { isUniqueViolation } from "../../../runtime/db/prisma-errors.js";
import { TRANSACTION_OPTIONS } from "../../../runtime/db/transactions.js";
import { alreadyExists, etagMismatch } from "../../../runtime/domain/domain-error.js";
import type { PeopleDatabase, PeopleTransaction } from "../people-database.js";
import type { Department, DepartmentStatus } from "./department.js";

export interface DepartmentFilter {
  /** undefined: any parent; null: top-level only; a string: children of that department. */
  parentId: string | null | undefined;
  includeArchived: boolean;
}

/** Loads and saves Department aggregates; every query is scoped by tenant. */
export class DepartmentRepository {
  constructor(private readonly db: PeopleDatabase | PeopleTransaction) {}

  /** Runs `work` in one transaction, with a repository bound to it. */
  transaction<T>(work: (repository: DepartmentRepository) => Promise<T>): Promise<T> {
    if (!("$transaction" in this.db)) return work(this);
    return this.db.$transaction((tx) => work(new DepartmentRepository(tx)), TRANSACTION_OPTIONS);
  }

  /**
   * Serializes the tree-changing commands of one tenant until the
   * transaction ends, so two concurrent moves cannot build a cycle together
   * and a child cannot appear under a department being archived.
   */
  async lockTree(tenantId: string): Promise<void> {
    await this.db.$queryRawUnsafe(
      "SELECT true AS locked FROM pg_advisory_xact_lock(hashtextextended($1, 0))",
      `departments:${tenantId}`,
    );
  }

  async get(tenantId: string, id: string): Promise<Department | undefined> {
    const row = await this.db.department.findUnique({ where: { id, tenantId } });
    return row ? toDomain(row) : undefined;
  }

  async getMany(tenantId: string, ids: readonly string[]): Promise<Department[]> {
    const rows = await this.db.department.findMany({ where: { tenantId, id: { in: [...ids] } } });
    return rows.map(toDomain);
  }

  /** One page in id order (ids are time-ordered UUIDv7, so this is creation order). */
  async list(tenantId: string, filter: DepartmentFilter, afterId: string | undefined, limit: number) {
    const rows = await this.db.department.findMany({
      where: {
        tenantId,
        ...(filter.parentId !== undefined && { parentId: filter.parentId }),
        ...(!filter.includeArchived && { status: "active" }),
        ...(afterId !== undefined && { id: { gt: afterId } }),
      },
      orderBy: { id: "asc" },
      take: limit,
    });
    return rows.map(toDomain);
  }

  /** Ids of the department's ancestors, nearest first. */
  async ancestorIds(tenantId: string, id: string): Promise<string[]> {
    const rows = await this.db.$queryRawUnsafe<{ id: string }[]>(
      `WITH RECURSIVE chain(id, parent_id, depth) AS (
         SELECT id, parent_id, 0 FROM departments WHERE tenant_id = $1 AND id = $2::uuid
         UNION ALL
         SELECT d.id, d.parent_id, c.depth + 1 FROM departments d JOIN chain c ON d.id = c.parent_id
         WHERE d.tenant_id = $1 AND c.depth < 1000
       )
       SELECT id::text AS id FROM chain WHERE depth > 0 ORDER BY depth`,
      tenantId,
      id,
    );
    return rows.map((r) => r.id);
  }

  countActiveChildren(tenantId: string, id: string): Promise<number> {
    return this.db.department.count({ where: { tenantId, parentId: id, status: "active" } });
  }

  /** Inserts a new department and records the request in the same transaction. */
  async insert(department: Department, key: IdempotencyKey): Promise<void> {
    await this.transaction(async (repository) => {
      await recordResult(repository.db, key, department);
      await repository.db.department.create({ data: toRow(department) }).catch(translateUniqueViolation);
    });
  }

  /** Saves a changed department if it is still at `expectedVersion`; ABORTED otherwise. */
  async update(department: Department, expectedVersion: number, key: IdempotencyKey): Promise<void> {
    await this.transaction(async (repository) => {
      await recordResult(repository.db, key, department);
      const { count } = await repository.db.department
        .updateMany({
          where: { tenantId: department.tenantId, id: department.id, version: expectedVersion },
          data: toRow(department),
        })
        .catch(translateUniqueViolation);
      if (count === 0) throw etagMismatch(`departments/${department.id}`);
    });
  }
}

function translateUniqueViolation(error: unknown): never {
  if (isUniqueViolation(error)) {
    throw alreadyExists("DEPARTMENT_CODE_TAKEN", "another department of the tenant already has this code", "code");
  }
  throw error;
}

function toDomain(row: DepartmentRow): Department {
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    code: row.code,
    parentId: row.parentId,
    headEmployeeId: row.headEmployeeId,
    status: row.status as DepartmentStatus,
    version: row.version,
    createTime: row.createTime.toISOString(),
    updateTime: row.updateTime.toISOString(),
  };
}

function toRow(d: Department): DepartmentRow {
  return { ...d, createTime: new Date(d.createTime), updateTime: new Date(d.updateTime) };
}
