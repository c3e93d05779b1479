import type { JobOpening as JobOpeningRow } from "../../../generated/prisma/talent/client.js";
import { type IdempotencyKey, recordResult } from "../../../runtime/db/run-once.js";
import { TRANSACTION_OPTIONS } from "../../../runtime/db/transactions.js";
import { etagMismatch } from "../../../runtime/domain/domain-error.js";
import type { TalentDatabase, TalentTransaction } from "../talent-database.js";
import type { JobOpening, JobOpeningStatus } from "./job-opening.js";

/** List filters; each one set narrows the list (AND). */
export interface JobOpeningFilter {
  status: JobOpeningStatus | undefined;
  departmentId: string | undefined;
}

/** Loads and saves JobOpening aggregates; every query is scoped by tenant. */
export class JobOpeningRepository {
  constructor(private readonly db: TalentDatabase | TalentTransaction) {}

  async get(tenantId: string, id: string): Promise<JobOpening | undefined> {
    const row = await this.db.jobOpening.findUnique({ where: { id, tenantId } });
    return row ? toDomain(row) : undefined;
  }

  /** One page in id order (ids are time-ordered UUIDv7, so this is creation order). */
  async list(tenantId: string, filter: JobOpeningFilter, afterId: string | undefined, limit: number) {
    const rows = await this.db.jobOpening.findMany({
      where: {
        tenantId,
        ...(filter.status !== undefined && { status: filter.status }),
        ...(filter.departmentId !== undefined && { departmentId: filter.departmentId }),
        ...(afterId !== undefined && { id: { gt: afterId } }),
      },
      orderBy: { id: "asc" },
      take: limit,
    });
    return rows.map(toDomain);
  }

  /** Inserts a new opening and records the request in the same transaction. */
  async insert(opening: JobOpening, key: IdempotencyKey): Promise<void> {
    await this.inTransaction(async (tx) => {
      await recordResult(tx, key, opening);
      await tx.jobOpening.create({ data: toRow(opening) });
    });
  }

  /** Saves a changed opening if it is still at `expectedVersion`; ABORTED otherwise. */
  async update(opening: JobOpening, expectedVersion: number, key: IdempotencyKey): Promise<void> {
    await this.inTransaction(async (tx) => {
      await recordResult(tx, key, opening);
      const { count } = await tx.jobOpening.updateMany({
        where: { tenantId: opening.tenantId, id: opening.id, version: expectedVersion },
        data: toRow(opening),
      });
      if (count === 0) throw etagMismatch(`job_openings/${opening.id}`);
    });
  }

  private inTransaction(work: (tx: TalentTransaction) => Promise<void>): Promise<void> {
    return "$transaction" in this.db ? this.db.$transaction(work, TRANSACTION_OPTIONS) : work(this.db);
  }
}

function toDomain(row: JobOpeningRow): JobOpening {
  return {
    ...row,
    status: row.status as JobOpeningStatus,
    createTime: row.createTime.toISOString(),
    updateTime: row.updateTime.toISOString(),
  };
}

function toRow(o: JobOpening): JobOpeningRow {
  return { ...o, createTime: new Date(o.createTime), updateTime: new Date(o.updateTime) };
}
