import type { OnboardingCase as CaseModel } from "../../../generated/prisma/cases/client.js";
import { ErrorReason } from "../../../generated/proto/hr/onboardingcase/v1/error_reason.js";
import { isUniqueViolation, type Sql, sql } from "../../../runtime/db/sql.js";
import { type Stored, Table, timestamp } from "../../../runtime/db/table.js";
import { alreadyExists, etagMismatch } from "../../../runtime/domain/domain-error.js";
import type { NewHire } from "./new-hire.js";
import type { CaseState, OnboardingCase, Step, StepError, StepRecord } from "./onboarding-case.js";

/** List filters; each one set narrows the list (AND). */
export interface CaseFilter {
  /** Any of these states; empty: any state. */
  states: CaseState[];
  /** Only cases due at or before this time (ISO), when set. */
  dueBefore: string | undefined;
}

const cases = new Table<CaseModel>("onboarding_cases", {
  ...{ id: "id", tenantId: "tenant_id", applicationId: "application_id", state: "state" },
  ...{ currentStep: "current_step", newHire: "new_hire", steps: "steps", attempts: "attempts" },
  ...{ lastError: "last_error", nextAttemptTime: timestamp("next_attempt_time"), revision: "revision" },
  ...{ cancelReason: "cancel_reason", version: "version" },
  ...{ createTime: timestamp("create_time"), updateTime: timestamp("update_time") },
});

const GET = sql(`SELECT ${cases.selectList()} FROM onboarding_cases WHERE tenant_id = $1 AND id = $2::uuid`);
// Each filter is either null (any) or a value; ids are UUIDv7, so id order is creation order.
const LIST = sql(`
  SELECT ${cases.selectList()} FROM onboarding_cases
  WHERE tenant_id = $1
    AND (cardinality($2::text[]) = 0 OR state = ANY($2::text[]))
    AND ($3::timestamptz IS NULL OR next_attempt_time <= $3::timestamptz)
    AND ($4::uuid IS NULL OR id > $4::uuid)
  ORDER BY id LIMIT $5`);
// Only the cases a worker runs have a next attempt time: the index on it finds them across tenants.
const DUE_TENANTS = sql(`
  SELECT tenant_id FROM onboarding_cases
  WHERE next_attempt_time <= $1::timestamptz AND state IN ('in_progress', 'cancelling')
  GROUP BY tenant_id ORDER BY min(next_attempt_time) LIMIT $2`);
const INSERT = cases.insertStatement();
const UPDATE = cases.versionedUpdateStatement();

/** Loads and saves OnboardingCase aggregates; every query but the due tenants' is scoped by tenant. */
export class OnboardingCaseRepository {
  constructor(private readonly sql: Sql) {}

  async get(tenantId: string, id: string): Promise<OnboardingCase | undefined> {
    const [row] = await this.sql.rows<Stored<CaseModel>>(GET, [tenantId, id]);
    return row && toDomain(row);
  }

  /** One page in creation order, after `afterId` when given. */
  async list(tenantId: string, filter: CaseFilter, afterId: string | undefined, limit: number) {
    const values = [tenantId, filter.states, filter.dueBefore ?? null, afterId ?? null, limit];
    return (await this.sql.rows<Stored<CaseModel>>(LIST, values)).map(toDomain);
  }

  /** The tenants with a case due by `dueBefore`, the longest waiting first. */
  async tenantsWithDueCases(dueBefore: string, limit: number): Promise<string[]> {
    const rows = await this.sql.rows<{ tenant_id: string }>(DUE_TENANTS, [dueBefore, limit]);
    return rows.map((row) => row.tenant_id);
  }

  /** The unique index onboarding_cases_one_per_application refuses a second case of an application. */
  async insert(c: OnboardingCase): Promise<void> {
    await this.sql.count(INSERT, cases.valuesOf(toRow(c))).catch((error: unknown) => {
      if (isUniqueViolation(error, "onboarding_cases_one_per_application")) {
        throw alreadyExists(
          ErrorReason.CASE_EXISTS_FOR_APPLICATION,
          `application ${c.applicationId} already has an onboarding case`,
          "application_id",
        );
      }
      throw error;
    });
  }

  /** Saves a changed case if it is still at the version of `before` (ABORTED otherwise). */
  async update(c: OnboardingCase, before: OnboardingCase): Promise<void> {
    const saved = await this.sql.count(UPDATE, [...cases.valuesOf(toRow(c)), before.version]);
    if (saved !== 1) throw etagMismatch(`onboardingCases/${c.id}`);
  }
}

// The JSONB documents go as JSON text: pg would send a JavaScript array as a PostgreSQL array.
function toRow(c: OnboardingCase): Stored<CaseModel> {
  return {
    ...c,
    newHire: JSON.stringify(c.newHire),
    steps: JSON.stringify(c.steps),
    lastError: c.lastError === null ? null : JSON.stringify(c.lastError),
  };
}

function toDomain(row: Stored<CaseModel>): OnboardingCase {
  return {
    ...row,
    state: row.state as CaseState,
    currentStep: row.currentStep as Step | null,
    newHire: row.newHire as unknown as NewHire,
    steps: row.steps as unknown as StepRecord[],
    lastError: row.lastError as unknown as StepError | null,
  };
}
