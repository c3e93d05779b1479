import { ErrorReason } from "../../../generated/proto/hr/timeoff/v1/error_reason.js";
import { failedPrecondition, notFound } from "../../../runtime/domain/domain-error.js";
import { FieldChecks } from "../../../runtime/domain/validation.js";
import {
  accountSubject,
  assertOpen,
  balanceOf,
  type LeaveAccount,
  type LeaveChange,
  type LeaveRequest,
  type LeaveRequestStatus,
  type MovementKind,
  record,
} from "./leave-account.js";
import { rangesOverlap, workingDaysBetween, yearOf } from "./working-days.js";

/**
 * The leave requests of an account (see leave-account.ts):
 *
 *   pending → approved | rejected | cancelled;  approved → cancelled (before it starts)
 *
 * A new request reserves its days at once; approving turns reserved days into
 * approved days; rejecting or cancelling gives them back.
 */

/** Keeps one account (loaded and saved whole) a bounded size; a year has about 260 working days. */
export const MAX_LEAVE_REQUESTS = 500;

export interface NewLeaveRequest {
  id: string;
  startDate: string;
  endDate: string;
  halfDay: boolean;
  note: string;
}

const requestSubject = (a: LeaveAccount, requestId: string) => `${accountSubject(a.id)}/leaveRequests/${requestId}`;
const holdsDays = (r: LeaveRequest) => r.status === "pending" || r.status === "approved";

export function requestLeave(a: LeaveAccount, input: NewLeaveRequest, now: string): LeaveChange {
  const { startDate, endDate, halfDay } = input;
  const note = input.note.trim();
  const checks = new FieldChecks();
  const datesValid = [checks.isoDate("start_date", startDate), checks.isoDate("end_date", endDate)].every(Boolean);
  if (datesValid) {
    const inYear = `must lie in ${a.year}, the year of the leave account`;
    const startInYear = checks.check("start_date", yearOf(startDate) === a.year, inYear);
    const endInYear = checks.check("end_date", yearOf(endDate) === a.year, inYear);
    const ordered = checks.check("end_date", startDate <= endDate, "must not be before start_date");
    if (startInYear && endInYear && ordered) {
      const noWorkingDay = "the range holds no working day (Monday to Friday)";
      checks.check("end_date", workingDaysBetween(startDate, endDate) > 0, noWorkingDay);
    }
    checks.check("half_day", !halfDay || startDate === endDate, "a half day must start and end on the same date");
  }
  checks.text("note", note, { min: 0, max: 500 });
  checks.throwIfAny();
  assertOpen(a);

  if (a.requests.length >= MAX_LEAVE_REQUESTS) {
    const message = `leave account ${a.id} already holds ${MAX_LEAVE_REQUESTS} leave requests`;
    throw failedPrecondition(ErrorReason.TOO_MANY_LEAVE_REQUESTS, accountSubject(a.id), message);
  }
  const clash = a.requests.find((r) => holdsDays(r) && rangesOverlap(startDate, endDate, r.startDate, r.endDate));
  if (clash !== undefined) {
    const message = `the dates overlap ${clash.status} leave request ${clash.id} (${clash.startDate} to ${clash.endDate})`;
    throw failedPrecondition(ErrorReason.LEAVE_REQUEST_OVERLAPS, requestSubject(a, clash.id), message);
  }
  const amountHalfDays = halfDay ? 1 : 2 * workingDaysBetween(startDate, endDate);
  const { availableHalfDays } = balanceOf(a);
  if (amountHalfDays > availableHalfDays) {
    const message = `the request needs ${amountHalfDays} half days but leave account ${a.id} has ${availableHalfDays} available`;
    throw failedPrecondition(ErrorReason.INSUFFICIENT_BALANCE, accountSubject(a.id), message);
  }
  const request: LeaveRequest = {
    ...{ id: input.id, startDate, endDate, halfDay, amountHalfDays, note },
    ...{ status: "pending", createTime: now, updateTime: now },
  };
  const changed = { ...a, requests: [...a.requests, request] };
  return record(changed, { kind: "reserved", amountHalfDays, leaveRequestId: request.id }, now);
}

export function approveLeave(a: LeaveAccount, requestId: string, now: string): LeaveChange {
  assertOpen(a);
  const request = findRequest(a, requestId);
  assertPending(a, request);
  return decide(a, request, "approved", "taken", now);
}

export function rejectLeave(a: LeaveAccount, requestId: string, now: string): LeaveChange {
  assertOpen(a);
  const request = findRequest(a, requestId);
  assertPending(a, request);
  return decide(a, request, "rejected", "released", now);
}

/** `today` is the ISO date by which approved leave counts as started. */
export function cancelLeave(a: LeaveAccount, requestId: string, today: string, now: string): LeaveChange {
  assertOpen(a);
  const request = findRequest(a, requestId);
  if (request.status === "pending") return decide(a, request, "cancelled", "released", now);
  if (request.status === "approved") {
    if (request.startDate <= today) {
      const message = `leave request ${request.id} started on ${request.startDate} and can no longer be cancelled`;
      throw failedPrecondition(ErrorReason.LEAVE_ALREADY_STARTED, requestSubject(a, request.id), message);
    }
    return decide(a, request, "cancelled", "restored", now);
  }
  const message = `leave request ${request.id} is ${request.status} and holds no days`;
  throw failedPrecondition(ErrorReason.LEAVE_REQUEST_CLOSED, requestSubject(a, request.id), message);
}

function findRequest(a: LeaveAccount, requestId: string): LeaveRequest {
  const request = a.requests.find((r) => r.id === requestId.toLowerCase());
  if (request === undefined) throw notFound(ErrorReason.LEAVE_REQUEST_NOT_FOUND, requestId);
  return request;
}

function assertPending(a: LeaveAccount, request: LeaveRequest): void {
  if (request.status !== "pending") {
    const message = `leave request ${request.id} is ${request.status}, not pending`;
    throw failedPrecondition(ErrorReason.LEAVE_REQUEST_NOT_PENDING, requestSubject(a, request.id), message);
  }
}

/** Moves a request to `status`, recording the movement of its days (the settlement cancels with it too). */
export function decide(
  a: LeaveAccount,
  request: LeaveRequest,
  status: LeaveRequestStatus,
  kind: MovementKind,
  now: string,
): LeaveChange {
  const requests = a.requests.map((r) => (r.id === request.id ? { ...r, status, updateTime: now } : r));
  return record({ ...a, requests }, { kind, amountHalfDays: request.amountHalfDays, leaveRequestId: request.id }, now);
}
