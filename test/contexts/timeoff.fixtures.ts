import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect } from "vitest";
import {
  type LeaveAccount,
  type LeaveBalance,
  type LeaveMovement,
  LeaveMovementKind,
  type LeaveRequest,
  LeaveRequestStatus,
  LeaveType,
  type OpenLeaveAccountRequest,
  type RequestLeaveRequest,
} from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import type { Caller } from "../support/callers.js";
import { startTimeoff, type TimeoffUnderTest } from "../support/timeoff-under-test.js";

// What the timeoff test files share: a real timeoff server per file, and the
// calls and checks they make on leave accounts.

let server: TimeoffUnderTest | undefined;

/** Starts a real timeoff server over a fresh database for the calling test file. */
export function startTimeoffPerFile(): void {
  beforeAll(async () => {
    server = await startTimeoff();
  });
  afterAll(() => server?.stop());
}

/** The timeoff server of this test file. */
export const timeoff = {
  get current(): TimeoffUnderTest {
    if (server === undefined) throw new Error("call startTimeoffPerFile() in the test file");
    return server;
  },
  get leaveAccounts() {
    return timeoff.current.leaveAccounts;
  },
  get db() {
    return timeoff.current.db;
  },
};

export const { LEAVE_TYPE_ANNUAL: ANNUAL, LEAVE_TYPE_SICK: SICK } = LeaveType;
export const { LEAVE_REQUEST_STATUS_PENDING: PENDING, LEAVE_REQUEST_STATUS_APPROVED: APPROVED } = LeaveRequestStatus;
export const { LEAVE_REQUEST_STATUS_REJECTED: REJECTED, LEAVE_REQUEST_STATUS_CANCELLED: CANCELLED } =
  LeaveRequestStatus;
export const K = LeaveMovementKind;

// Years chosen so that "has the approved leave started?" has the same answer whenever the tests run.
export const FUTURE = 2099;
export const PAST = 2020;

export const openRequest = (overrides: Partial<OpenLeaveAccountRequest> = {}): OpenLeaveAccountRequest => ({
  requestId: randomUUID(),
  employeeId: randomUUID(),
  leaveType: ANNUAL,
  year: FUTURE,
  entitlementHalfDays: 20,
  ...overrides,
});

export function present<T>(value: T | undefined): T {
  if (value === undefined) throw new Error("the response lacks an expected message");
  return value;
}

export async function open(caller: Caller, overrides: Partial<OpenLeaveAccountRequest> = {}): Promise<LeaveAccount> {
  return present((await timeoff.leaveAccounts.openLeaveAccount(openRequest(overrides), caller)).leaveAccount);
}

export async function read(caller: Caller, id: string): Promise<LeaveAccount> {
  return present((await timeoff.leaveAccounts.getLeaveAccount({ id }, caller)).leaveAccount);
}

export const leaveRequest = (a: LeaveAccount, start: string, end = start, more: Partial<RequestLeaveRequest> = {}) => ({
  requestId: randomUUID(),
  id: a.id,
  etag: "",
  startDate: start,
  endDate: end,
  halfDay: false,
  note: "",
  ...more,
});

export async function requestLeave(caller: Caller, a: LeaveAccount, start: string, end = start) {
  const answer = await timeoff.leaveAccounts.requestLeave(leaveRequest(a, start, end), caller);
  return { account: present(answer.leaveAccount), request: present(answer.leaveRequest) };
}

export type Decision = "approveLeave" | "rejectLeave" | "cancelLeave";
export async function decide(caller: Caller, decision: Decision, a: LeaveAccount, r: LeaveRequest, etag = "") {
  const call = { requestId: randomUUID(), id: a.id, etag, leaveRequestId: r.id };
  const answer = await timeoff.leaveAccounts[decision](call, caller);
  return { account: present(answer.leaveAccount), request: present(answer.leaveRequest) };
}

/** Every movement of an account, reading all pages. */
export async function history(caller: Caller, leaveAccountId: string): Promise<LeaveMovement[]> {
  const all: LeaveMovement[] = [];
  let pageToken = "";
  do {
    const page = await timeoff.leaveAccounts.listLeaveMovements({ leaveAccountId, pageSize: 200, pageToken }, caller);
    all.push(...page.movements);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return all;
}

/** Applies movements in order from a zero balance, as a client auditing the history would. */
export function fold(movements: readonly LeaveMovement[]): LeaveBalance {
  const b = { entitlementHalfDays: 0, accruedHalfDays: 0, reservedHalfDays: 0, approvedHalfDays: 0 };
  for (const { kind, amountHalfDays: n } of movements) {
    if (kind === K.LEAVE_MOVEMENT_KIND_OPENED) b.entitlementHalfDays = n;
    if (kind === K.LEAVE_MOVEMENT_KIND_ACCRUED) b.accruedHalfDays += n;
    if (kind === K.LEAVE_MOVEMENT_KIND_RESERVED) b.reservedHalfDays += n;
    if (kind === K.LEAVE_MOVEMENT_KIND_RELEASED) b.reservedHalfDays -= n;
    if (kind === K.LEAVE_MOVEMENT_KIND_TAKEN) {
      b.reservedHalfDays -= n;
      b.approvedHalfDays += n;
    }
    if (kind === K.LEAVE_MOVEMENT_KIND_RESTORED) b.approvedHalfDays -= n;
  }
  const availableHalfDays = b.entitlementHalfDays + b.accruedHalfDays - b.reservedHalfDays - b.approvedHalfDays;
  return { ...b, availableHalfDays };
}

/** Checks that the history is gapless, that each movement's balance is the sum so far, and returns it. */
export async function auditedHistory(caller: Caller, a: LeaveAccount): Promise<LeaveMovement[]> {
  const movements = await history(caller, a.id);
  expect(movements.map((m) => m.sequence)).toEqual(movements.map((_, i) => i + 1));
  for (const [i, m] of movements.entries()) {
    expect(m.balance, `movement ${m.sequence}`).toEqual(fold(movements.slice(0, i + 1)));
    expect(m.balance?.availableHalfDays).toBeGreaterThanOrEqual(0);
  }
  expect(fold(movements)).toEqual(a.balance);
  expect(a.etag).toBe(`"${movements.length}"`);
  return movements;
}

/** The first `count` working days (Monday to Friday) of `year`. */
export function workingDays(year: number, count: number, from = `${year}-01-01`): string[] {
  const days: string[] = [];
  for (let d = new Date(`${from}T00:00:00Z`); days.length < count; d.setUTCDate(d.getUTCDate() + 1)) {
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) days.push(d.toISOString().slice(0, 10));
  }
  return days;
}

export const rowsOf = async (tenantId: string) => ({
  accounts: await timeoff.db.leaveAccount.count({ where: { tenantId } }),
  requests: await timeoff.db.leaveRequest.count({ where: { tenantId } }),
  movements: await timeoff.db.leaveMovement.count({ where: { tenantId } }),
});
