import type { JobOpening as JobOpeningModel } from "../../../generated/prisma/talent/client.js";
import { type Sql, sql } from "../../../runtime/db/sql.js";
import { type Stored, Table, timestamp } from "../../../runtime/db/table.js";
import { etagMismatch } from "../../../runtime/domain/domain-error.js";
import type { JobOpening, JobOpeningStatus } from "./job-opening.js";

/** List filters; each one set narrows the list (AND). */
export interface JobOpeningFilter {
  status: JobOpeningStatus | undefined;
  departmentId: string | undefined;
}

const jobOpenings = new Table<JobOpeningModel>("job_openings", {
  id: "id",
  tenantId: "tenant_id",
  title: "title",
  departmentId: "department_id",
  headcount: "headcount",
  description: "description",
  status: "status",
  version: "version",
  createTime: timestamp("create_time"),
  updateTime: timestamp("update_time"),
});

const GET = sql(`SELECT ${jobOpenings.selectList()} FROM job_openings WHERE tenant_id = $1 AND id = $2::uuid`);
// Each filter is either null (any) or a value; ids are time-ordered UUIDv7, so id order is creation order.
const LIST = sql(`
  SELECT ${jobOpenings.selectList()} FROM job_openings
  WHERE tenant_id = $1
    AND ($2::text IS NULL OR status = $2::text)
    AND ($3::uuid IS NULL OR department_id = $3::uuid)
    AND ($4::uuid IS NULL OR id > $4::uuid)
  ORDER BY id LIMIT $5`);
const INSERT = jobOpenings.insertStatement();
const UPDATE = jobOpenings.versionedUpdateStatement();

/** Loads and saves JobOpening aggregates; every query is scoped by tenant. */
export class JobOpeningRepository {
  constructor(private readonly sql: Sql) {}

  async get(tenantId: string, id: string): Promise<JobOpening | undefined> {
    const [row] = await this.sql.rows<Stored<JobOpeningModel>>(GET, [tenantId, id]);
    return row && toDomain(row);
  }

  /** One page in creation order, after `afterId` when given. */
  async list(tenantId: string, filter: JobOpeningFilter, afterId: string | undefined, limit: number) {
    const values = [tenantId, filter.status ?? null, filter.departmentId ?? null, afterId ?? null, limit];
    return (await this.sql.rows<Stored<JobOpeningModel>>(LIST, values)).map(toDomain);
  }

  async insert(opening: JobOpening): Promise<void> {
    await this.sql.count(INSERT, jobOpenings.valuesOf(opening));
  }

  /** Saves a changed opening if it is still at the version of `before`; ABORTED otherwise. */
  async update(opening: JobOpening, before: { version: number }): Promise<void> {
    const count = await this.sql.count(UPDATE, [...jobOpenings.valuesOf(opening), before.version]);
    if (count === 0) throw etagMismatch(`job_openings/${opening.id}`);
  }
}

const toDomain = (row: Stored<JobOpeningModel>): JobOpening => ({ ...row, status: row.status as JobOpeningStatus });
