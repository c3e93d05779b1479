import { ErrorReason } from "../../../generated/proto/hr/requisition/v1/error_reason.js";
import { failedPrecondition } from "../../../runtime/domain/domain-error.js";
import { FieldChecks } from "../../../runtime/domain/validation.js";

/**
 * JobOpening, the aggregate root of the requisition context:
 * draft → open ⇄ on_hold, and draft, open or on_hold → closed or filled
 * (final; a draft was never published, so it cannot be filled). Pure: the
 * caller passes `now`; every command returns a new object and leaves its
 * input as it was (the repository's version check compares against it).
 */

export type JobOpeningStatus = "draft" | "open" | "on_hold" | "closed" | "filled";
/** How a close ends the opening: the status it ends in. */
export type CloseOutcome = "filled" | "closed";

export interface JobOpening {
  id: string;
  tenantId: string;
  title: string;
  departmentId: string;
  headcount: number;
  description: string;
  status: JobOpeningStatus;
  version: number;
  createTime: string;
  updateTime: string;
}

export interface NewJobOpening {
  id: string;
  tenantId: string;
  title: string;
  departmentId: string;
  headcount: number;
  description: string;
}

/** Fields UpdateJobOpening may change; `undefined` leaves a field as it is. */
export interface JobOpeningChanges {
  title?: string;
  departmentId?: string;
  headcount?: number;
  description?: string;
}

/** The statuses each status may move to: the whole state machine in one table. */
const NEXT: Record<JobOpeningStatus, readonly JobOpeningStatus[]> = {
  draft: ["open", "closed"],
  open: ["on_hold", "closed", "filled"],
  on_hold: ["open", "closed", "filled"],
  closed: [],
  filled: [],
};

export const MAX_HEADCOUNT = 1000;
const subject = (id: string): string => `job_openings/${id}`;
/** Statuses in messages as clients know them from the proto (DRAFT, ON_HOLD, ...). */
const shown = (status: JobOpeningStatus): string => status.toUpperCase();
const isFinal = (status: JobOpeningStatus): boolean => NEXT[status].length === 0;

export function createJobOpening(input: NewJobOpening, now: string): JobOpening {
  const checks = new FieldChecks();
  const title = checkTitle(checks, input.title);
  const departmentId = checkDepartment(checks, input.departmentId);
  const headcount = checkHeadcount(checks, input.headcount);
  const description = checkDescription(checks, input.description);
  checks.throwIfAny();
  const { id, tenantId } = input;
  const fields = { title, departmentId, headcount, description };
  return { id, tenantId, ...fields, status: "draft", version: 1, createTime: now, updateTime: now };
}

export function updateJobOpening(o: JobOpening, changes: JobOpeningChanges, now: string): JobOpening {
  const checks = new FieldChecks();
  const title = changes.title === undefined ? o.title : checkTitle(checks, changes.title);
  const departmentId =
    changes.departmentId === undefined ? o.departmentId : checkDepartment(checks, changes.departmentId);
  const headcount = changes.headcount === undefined ? o.headcount : checkHeadcount(checks, changes.headcount);
  const description = changes.description === undefined ? o.description : checkDescription(checks, changes.description);
  checks.throwIfAny();
  if (isFinal(o.status)) {
    const message = `job opening ${o.id} is ${shown(o.status)} and read-only`;
    throw failedPrecondition(ErrorReason.JOB_OPENING_CLOSED, subject(o.id), message);
  }
  return { ...o, title, departmentId, headcount, description, version: o.version + 1, updateTime: now };
}

/** Publishes a draft or resumes an opening on hold. */
export function openJobOpening(o: JobOpening, now: string): JobOpening {
  return moveTo(o, "open", now);
}

export function holdJobOpening(o: JobOpening, now: string): JobOpening {
  return moveTo(o, "on_hold", now);
}

export function closeJobOpening(o: JobOpening, outcome: CloseOutcome, now: string): JobOpening {
  return moveTo(o, outcome, now);
}

function moveTo(o: JobOpening, to: JobOpeningStatus, now: string): JobOpening {
  if (!NEXT[o.status].includes(to)) {
    const why = isFinal(o.status)
      ? `: ${shown(o.status)} is final`
      : o.status === "draft" && to === "filled"
        ? ": a draft was never open, so it can only be closed as CLOSED"
        : "";
    const message = `job opening ${o.id} cannot go from ${shown(o.status)} to ${shown(to)}${why}`;
    throw failedPrecondition(ErrorReason.ILLEGAL_STATUS_TRANSITION, subject(o.id), message);
  }
  return { ...o, status: to, version: o.version + 1, updateTime: now };
}

function checkTitle(checks: FieldChecks, raw: string): string {
  const title = raw.trim();
  checks.text("title", title, { min: 1, max: 200 });
  return title;
}

/** Ids are stored lower-case like Postgres prints them. */
function checkDepartment(checks: FieldChecks, raw: string): string {
  checks.uuid("department_id", raw);
  return raw.toLowerCase();
}

function checkHeadcount(checks: FieldChecks, headcount: number): number {
  const ok = Number.isInteger(headcount) && headcount >= 1 && headcount <= MAX_HEADCOUNT;
  checks.check("headcount", ok, `must be a whole number from 1 to ${MAX_HEADCOUNT}`);
  return headcount;
}

/**
 * A description spans lines: line breaks (stored as "\n") and tabs are
 * allowed, other control characters are not, as everywhere else.
 */
function checkDescription(checks: FieldChecks, raw: string): string {
  const description = raw.replace(/\r\n?/g, "\n").trim();
  checks.text("description", description.replace(/[\n\t]/g, " "), { min: 0, max: 5000 });
  return description;
}
