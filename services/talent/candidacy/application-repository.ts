import type {
  Application as ApplicationModel,
  StageChange as StageChangeModel,
} from "../../../generated/prisma/talent/client.js";
import { ErrorReason } from "../../../generated/proto/hr/candidacy/v1/error_reason.js";
import { isUniqueViolation, type Sql, sql } from "../../../runtime/db/sql.js";
import { type Stored, Table, timestamp } from "../../../runtime/db/table.js";
import { alreadyExists, etagMismatch } from "../../../runtime/domain/domain-error.js";
import { type Outbox, recordIn } from "../../../runtime/events/outbox.js";
import type { Application, ApplicationStage } from "./application.js";
import { APPLICATION_EVENTS, changeEvents } from "./application-events.js";

/** List filters; each one set narrows the list (AND). */
export interface ApplicationFilter {
  jobOpeningId: string | undefined;
  stage: ApplicationStage | undefined;
}

const applications = new Table<ApplicationModel>("applications", {
  id: "id",
  tenantId: "tenant_id",
  jobOpeningId: "job_opening_id",
  candidateName: "candidate_name",
  candidateEmail: "candidate_email",
  stage: "stage",
  version: "version",
  createTime: timestamp("create_time"),
  updateTime: timestamp("update_time"),
});

// Read only through HISTORY; its map still fails the build when the model
// gains a field, so APPEND_HISTORY below gets looked at too.
const stageChanges = new Table<StageChangeModel>("application_stage_changes", {
  applicationId: "application_id",
  seq: "seq",
  tenantId: "tenant_id",
  fromStage: "from_stage",
  toStage: "to_stage",
  actor: "actor",
  changeTime: timestamp("change_time"),
  note: "note",
});

type ApplicationRow = Stored<ApplicationModel> & { history: Stored<StageChangeModel>[] };

// A history has at most five entries: it rides along with its application as
// a JSON array, so reading an application, or a page of them, is one statement.
const HISTORY = `(
  SELECT coalesce(json_agg(h ORDER BY h.seq), '[]'::json)
  FROM (SELECT ${stageChanges.selectList("c")} FROM application_stage_changes c WHERE c.application_id = a.id) h
) AS history`;
const GET = sql(`SELECT ${applications.selectList("a")}, ${HISTORY} FROM applications a
  WHERE a.tenant_id = $1 AND a.id = $2::uuid`);
// Each filter is either null (any) or a value; ids are time-ordered UUIDv7, so id order is submission order.
const LIST = sql(`
  SELECT ${applications.selectList("a")}, ${HISTORY} FROM applications a
  WHERE a.tenant_id = $1
    AND ($2::uuid IS NULL OR a.job_opening_id = $2::uuid)
    AND ($3::text IS NULL OR a.stage = $3::text)
    AND ($4::uuid IS NULL OR a.id > $4::uuid)
  ORDER BY a.id LIMIT $5`);

/**
 * Appends the entries a save adds to the history of the row the CTE `saved`
 * wrote, one array per column from parameter `$first` on: the root and its
 * new entries are written by one statement, and nothing when `saved` is empty.
 */
const appendHistory = (first: number) => {
  const [seq, from, to, actor, time, note] = [0, 1, 2, 3, 4, 5].map((i) => `$${first + i}`);
  return `INSERT INTO application_stage_changes
    (application_id, seq, tenant_id, from_stage, to_stage, actor, change_time, note)
    SELECT saved.id, h.seq, saved.tenant_id, h.from_stage, h.to_stage, h.actor, h.change_time, h.note
    FROM saved CROSS JOIN unnest(${seq}::int[], ${from}::text[], ${to}::text[], ${actor}::text[],
      ${time}::timestamptz[], ${note}::text[]) AS h(seq, from_stage, to_stage, actor, change_time, note)`;
};
const INSERT_ROOT = applications.insertStatement();
const INSERT = sql(`WITH saved AS (${INSERT_ROOT.text} RETURNING id, tenant_id) ${appendHistory(10)}`);
const UPDATE_ROOT = applications.versionedUpdateStatement();
const UPDATE = sql(`
  WITH saved AS (${UPDATE_ROOT.text} RETURNING id, tenant_id), added AS (${appendHistory(11)})
  SELECT count(*)::int AS saved FROM saved`);

/**
 * Loads and saves Application aggregates with their stage history (the child
 * table application_stage_changes, append-only); every query is scoped by
 * tenant.
 */
export class ApplicationRepository {
  constructor(
    private readonly sql: Sql,
    /** The command's outbox, where saves record their events; none for reads. */
    private readonly outbox?: Outbox,
  ) {}

  async get(tenantId: string, id: string): Promise<Application | undefined> {
    const [row] = await this.sql.rows<ApplicationRow>(GET, [tenantId, id]);
    return row && toDomain(row);
  }

  /** One page in submission order, after `afterId` when given. */
  async list(tenantId: string, filter: ApplicationFilter, afterId: string | undefined, limit: number) {
    const values = [tenantId, filter.jobOpeningId ?? null, filter.stage ?? null, afterId ?? null, limit];
    return (await this.sql.rows<ApplicationRow>(LIST, values)).map(toDomain);
  }

  /**
   * Inserts a new application with its first history entry. The partial
   * unique index applications_one_active_per_candidate refuses a second
   * active application, also against a concurrent insert that has not
   * committed yet (this one waits for it).
   */
  async insert(application: Application): Promise<void> {
    const values = [...applications.valuesOf(application), ...historyColumns(application, 0)];
    await this.sql.count(INSERT, values).catch(translateUniqueViolation);
  }

  /**
   * Saves a changed application if it is still at the version of `before`
   * (ABORTED otherwise) and appends the history entries it gained: the
   * version bump and the history rows are one statement.
   */
  async update(application: Application, before: Application): Promise<void> {
    const values = [
      ...applications.valuesOf(application),
      before.version,
      ...historyColumns(application, before.history.length),
    ];
    const [row] = await this.sql.rows<{ saved: number }>(UPDATE, values);
    if (row?.saved !== 1) throw etagMismatch(`applications/${application.id}`);
    await recordIn(this.outbox, APPLICATION_EVENTS, application, changeEvents(application, before));
  }
}

function translateUniqueViolation(error: unknown): never {
  if (isUniqueViolation(error, "applications_one_active_per_candidate")) {
    throw alreadyExists(
      ErrorReason.ACTIVE_APPLICATION_EXISTS,
      "this candidate already has an active application to this job opening",
      "candidate_email",
    );
  }
  throw error;
}

/** The history entries from index `from` on, as the column arrays of appendHistory, numbered from 1. */
function historyColumns(a: Application, from: number): unknown[][] {
  const added = a.history.slice(from);
  return [
    added.map((_, i) => from + i + 1),
    added.map((c) => c.fromStage),
    added.map((c) => c.toStage),
    added.map((c) => c.actor),
    added.map((c) => c.changeTime),
    added.map((c) => c.note),
  ];
}

function toDomain({ history, ...root }: ApplicationRow): Application {
  return {
    ...root,
    stage: root.stage as ApplicationStage,
    history: history.map((c) => ({
      fromStage: c.fromStage as ApplicationStage | null,
      toStage: c.toStage as ApplicationStage,
      actor: c.actor,
      changeTime: c.changeTime,
      note: c.note,
    })),
  };
}
