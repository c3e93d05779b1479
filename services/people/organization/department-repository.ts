import type { Department as DepartmentModel } from "../../../generated/prisma/people/client.js";
import { ErrorReason } from "../../../generated/proto/hr/organization/v1/error_reason.js";
import { isUniqueViolation, type Sql, sql } from "../../../runtime/db/sql.js";
import { type Stored, Table, timestamp } from "../../../runtime/db/table.js";
import { alreadyExists, etagMismatch } from "../../../runtime/domain/domain-error.js";
import type { Department, DepartmentStatus } from "./department.js";

export interface DepartmentFilter {
  /** undefined: any parent; null: top-level only; a string: children of that department. */
  parentId: string | null | undefined;
  includeArchived: boolean;
}

const departments = new Table<DepartmentModel>("departments", {
  id: "id",
  tenantId: "tenant_id",
  name: "name",
  code: "code",
  parentId: "parent_id",
  headEmployeeId: "head_employee_id",
  status: "status",
  version: "version",
  createTime: timestamp("create_time"),
  updateTime: timestamp("update_time"),
});

const GET = sql(`SELECT ${departments.selectList()} FROM departments WHERE tenant_id = $1 AND id = $2::uuid`);
const GET_MANY = sql(
  `SELECT ${departments.selectList()} FROM departments WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
);
// $2: filter on the parent at all; $3: the parent (null: top level). Id order is creation order (UUIDv7).
const LIST = sql(`
  SELECT ${departments.selectList()} FROM departments
  WHERE tenant_id = $1
    AND (NOT $2::boolean OR parent_id IS NOT DISTINCT FROM $3::uuid)
    AND ($4::boolean OR status = 'active')
    AND ($5::uuid IS NULL OR id > $5::uuid)
  ORDER BY id LIMIT $6`);
const LOCK_TREE = sql("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))");
const ANCESTORS = sql(`
  WITH RECURSIVE chain(id, parent_id, depth) AS (
    SELECT id, parent_id, 0 FROM departments WHERE tenant_id = $1 AND id = $2::uuid
    UNION ALL
    SELECT d.id, d.parent_id, c.depth + 1 FROM departments d JOIN chain c ON d.id = c.parent_id
    WHERE d.tenant_id = $1 AND c.depth < 1000
  )
  SELECT id::text AS id FROM chain WHERE depth > 0 ORDER BY depth`);
const COUNT_ACTIVE_CHILDREN = sql(
  "SELECT count(*)::int AS n FROM departments WHERE tenant_id = $1 AND parent_id = $2::uuid AND status = 'active'",
);
const INSERT = departments.insertStatement();
const UPDATE = departments.versionedUpdateStatement();

/** Loads and saves Department aggregates; every query is scoped by tenant. */
export class DepartmentRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Serializes the tree-changing commands of one tenant until the
   * transaction ends, so two concurrent moves cannot build a cycle together
   * and a child cannot appear under a department being archived.
   */
  async lockTree(tenantId: string): Promise<void> {
    await this.sql.rows(LOCK_TREE, [`departments:${tenantId}`]);
  }

  async get(tenantId: string, id: string): Promise<Department | undefined> {
    const [row] = await this.sql.rows<Stored<DepartmentModel>>(GET, [tenantId, id]);
    return row && toDomain(row);
  }

  async getMany(tenantId: string, ids: readonly string[]): Promise<Department[]> {
    return (await this.sql.rows<Stored<DepartmentModel>>(GET_MANY, [tenantId, ids])).map(toDomain);
  }

  /** One page in creation order, after `afterId` when given. */
  async list(tenantId: string, filter: DepartmentFilter, afterId: string | undefined, limit: number) {
    const byParent = filter.parentId !== undefined;
    const values = [tenantId, byParent, filter.parentId ?? null, filter.includeArchived, afterId ?? null, limit];
    return (await this.sql.rows<Stored<DepartmentModel>>(LIST, values)).map(toDomain);
  }

  /** Ids of the department's ancestors, nearest first. */
  async ancestorIds(tenantId: string, id: string): Promise<string[]> {
    return (await this.sql.rows<{ id: string }>(ANCESTORS, [tenantId, id])).map((r) => r.id);
  }

  async countActiveChildren(tenantId: string, id: string): Promise<number> {
    const [row] = await this.sql.rows<{ n: number }>(COUNT_ACTIVE_CHILDREN, [tenantId, id]);
    return row?.n ?? 0;
  }

  async insert(department: Department): Promise<void> {
    await this.sql.count(INSERT, departments.valuesOf(department)).catch(translateUniqueViolation);
  }

  /** Saves a changed department if it is still at the version of `before`; ABORTED otherwise. */
  async update(department: Department, before: { version: number }): Promise<void> {
    const values = [...departments.valuesOf(department), before.version];
    const count = await this.sql.count(UPDATE, values).catch(translateUniqueViolation);
    if (count === 0) throw etagMismatch(`departments/${department.id}`);
  }
}

function translateUniqueViolation(error: unknown): never {
  if (isUniqueViolation(error, "departments_tenant_id_code_key")) {
    throw alreadyExists(
      ErrorReason.DEPARTMENT_CODE_TAKEN,
      "another department of the tenant already has this code",
      "code",
    );
  }
  throw error;
}

const toDomain = (row: Stored<DepartmentModel>): Department => ({
  ...row,
  status: row.status as DepartmentStatus,
});
