import {
  CloseOutcome,
  type JobOpening as JobOpeningMessage,
  JobOpeningStatus,
} from "../../../generated/proto/hr/requisition/v1/job_opening_service.js";
import { invalidArgument } from "../../../runtime/domain/domain-error.js";
import { etagOf } from "../../../runtime/domain/etag.js";
import { FieldChecks } from "../../../runtime/domain/validation.js";
import type { JobOpening, CloseOutcome as Outcome, JobOpeningStatus as Status } from "./job-opening.js";

const STATUS_TO_PROTO: Record<Status, JobOpeningStatus> = {
  draft: JobOpeningStatus.JOB_OPENING_STATUS_DRAFT,
  open: JobOpeningStatus.JOB_OPENING_STATUS_OPEN,
  on_hold: JobOpeningStatus.JOB_OPENING_STATUS_ON_HOLD,
  closed: JobOpeningStatus.JOB_OPENING_STATUS_CLOSED,
  filled: JobOpeningStatus.JOB_OPENING_STATUS_FILLED,
};

const OUTCOME_FROM_PROTO = new Map<CloseOutcome, Outcome>([
  [CloseOutcome.CLOSE_OUTCOME_FILLED, "filled"],
  [CloseOutcome.CLOSE_OUTCOME_CLOSED, "closed"],
]);

/** The aggregate as clients see it. */
export function toJobOpeningMessage(o: JobOpening): JobOpeningMessage {
  return {
    id: o.id,
    title: o.title,
    departmentId: o.departmentId,
    headcount: o.headcount,
    description: o.description,
    status: STATUS_TO_PROTO[o.status],
    etag: etagOf(o.version),
    createTime: new Date(o.createTime),
    updateTime: new Date(o.updateTime),
  };
}

/** A status filter: UNSPECIFIED means any; a value this server does not know is INVALID_ARGUMENT. */
export function statusFilter(field: string, status: JobOpeningStatus): Status | undefined {
  if (status === JobOpeningStatus.JOB_OPENING_STATUS_UNSPECIFIED) return undefined;
  const match = (Object.keys(STATUS_TO_PROTO) as Status[]).find((s) => STATUS_TO_PROTO[s] === status);
  const checks = new FieldChecks();
  checks.check(field, match !== undefined, "is not a known job opening status");
  checks.throwIfAny();
  return match;
}

/** The required outcome of a close: UNSPECIFIED and values this server does not know are INVALID_ARGUMENT. */
export function closeOutcome(field: string, outcome: CloseOutcome): Outcome {
  const match = OUTCOME_FROM_PROTO.get(outcome);
  if (match === undefined) {
    throw invalidArgument([{ field, description: "must be CLOSE_OUTCOME_FILLED or CLOSE_OUTCOME_CLOSED" }]);
  }
  return match;
}
