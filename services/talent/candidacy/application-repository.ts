import type {
  Application as ApplicationRow,
  StageChange as StageChangeRow,
} from "../../../generated/prisma/talent/client.js";
import { isUniqueViolation } from "../../../runtime/db/prisma-errors.js";
import { type IdempotencyKey, recordResult } from "../../../runtime/db/run-once.js";
import { TRANSACTION_OPTIONS } from "../../../runtime/db/transactions.js";
import { alreadyExists, etagMismatch } from "../../../runtime/domain/domain-error.js";
import type { TalentDatabase, TalentTransaction } from "../talent-database.js";
import type { Application, ApplicationStage, StageChange } from "./application.js";

/** List filters; each one set narrows the list (AND). */
export interface ApplicationFilter {
  jobOpeningId: string | undefined;
  stage: ApplicationStage | undefined;
}

/**
 * Loads and saves Application aggregates with their stage history (the child
 * table application_stage_changes, append-only); every query is scoped by
 * tenant.
 */
export class ApplicationRepository {
  constructor(private readonly db: TalentDatabase | TalentTransaction) {}

  async get(tenantId: string, id: string): Promise<Application | undefined> {
    const row = await this.db.application.findUnique({ where: { id, tenantId }, include: WITH_HISTORY });
    return row ? toDomain(row) : undefined;
  }

  /** One page in id order (ids are time-ordered UUIDv7, so this is submission order). */
  async list(tenantId: string, filter: ApplicationFilter, afterId: string | undefined, limit: number) {
    // Prisma reads the histories of the whole page in one second query, not one per application.
    const rows = await this.db.application.findMany({
      where: {
        tenantId,
        ...(filter.jobOpeningId !== undefined && { jobOpeningId: filter.jobOpeningId }),
        ...(filter.stage !== undefined && { stage: filter.stage }),
        ...(afterId !== undefined && { id: { gt: afterId } }),
      },
      include: WITH_HISTORY,
      orderBy: { id: "asc" },
      take: limit,
    });
    return rows.map(toDomain);
  }

  /**
   * Inserts a new application with its first history entry and records the
   * request, in one transaction. The partial unique index
   * applications_one_active_per_candidate refuses a second active
   * application, also against a concurrent insert that has not committed yet.
   */
  async insert(application: Application, key: IdempotencyKey): Promise<void> {
    await this.inTransaction(async (tx) => {
      await recordResult(tx, key, application);
      await tx.application
        .create({ data: { ...toRow(application), history: { create: historyRows(application, 0) } } })
        .catch(translateUniqueViolation);
    });
  }

  /**
   * Saves a changed application if it is still at the version of `before`
   * (ABORTED otherwise) and appends the history entries it gained, in one
   * transaction: the version bump and the history rows commit together.
   */
  async update(application: Application, before: Application, key: IdempotencyKey): Promise<void> {
    await this.inTransaction(async (tx) => {
      await recordResult(tx, key, application);
      const { count } = await tx.application.updateMany({
        where: { tenantId: application.tenantId, id: application.id, version: before.version },
        data: toRow(application),
      });
      if (count === 0) throw etagMismatch(`applications/${application.id}`);
      const added = historyRows(application, before.history.length);
      await tx.stageChange.createMany({ data: added.map((row) => ({ ...row, applicationId: application.id })) });
    });
  }

  private inTransaction(work: (tx: TalentTransaction) => Promise<void>): Promise<void> {
    return "$transaction" in this.db ? this.db.$transaction(work, TRANSACTION_OPTIONS) : work(this.db);
  }
}

const WITH_HISTORY = { history: { orderBy: { seq: "asc" } } } as const;

function translateUniqueViolation(error: unknown): never {
  if (isUniqueViolation(error)) {
    throw alreadyExists(
      "ACTIVE_APPLICATION_EXISTS",
      "this candidate already has an active application to this job opening",
      "candidate_email",
    );
  }
  throw error;
}

/** The history entries from index `from` on, numbered from 1 in order. */
function historyRows(a: Application, from: number): Omit<StageChangeRow, "applicationId">[] {
  return a.history.slice(from).map((c, i) => ({
    seq: from + i + 1,
    tenantId: a.tenantId,
    fromStage: c.fromStage,
    toStage: c.toStage,
    actor: c.actor,
    changeTime: new Date(c.changeTime),
    note: c.note,
  }));
}

function toDomain(row: ApplicationRow & { history: StageChangeRow[] }): Application {
  return {
    id: row.id,
    tenantId: row.tenantId,
    jobOpeningId: row.jobOpeningId,
    candidateName: row.candidateName,
    candidateEmail: row.candidateEmail,
    stage: row.stage as ApplicationStage,
    history: row.history.map(
      (c): StageChange => ({
        fromStage: c.fromStage as ApplicationStage | null,
        toStage: c.toStage as ApplicationStage,
        actor: c.actor,
        changeTime: c.changeTime.toISOString(),
        note: c.note,
      }),
    ),
    version: row.version,
    createTime: row.createTime.toISOString(),
    updateTime: row.updateTime.toISOString(),
  };
}

/** The root's own columns; the history goes to its child table. */
function toRow(a: Application): ApplicationRow {
  return {
    id: a.id,
    tenantId: a.tenantId,
    jobOpeningId: a.jobOpeningId,
    candidateName: a.candidateName,
    candidateEmail: a.candidateEmail,
    stage: a.stage,
    version: a.version,
    createTime: new Date(a.createTime),
    updateTime: new Date(a.updateTime),
  };
}
