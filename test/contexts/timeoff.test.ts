import { randomUUID } from "node:crypto";
import { Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
import { as, type Caller, newTenant } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { startTimeoff, type TimeoffUnderTest } from "../support/timeoff-under-test.js";

// The timeoff context (hr.timeoff.v1.LeaveAccountService) through its
// generated client against a real timeoff server and database.
// Run alone: npx vitest run test/contexts/timeoff.test.ts

let timeoff: TimeoffUnderTest;
beforeAll(async () => {
  timeoff = await startTimeoff();
});
afterAll(() => timeoff?.stop());

const { LEAVE_TYPE_ANNUAL: ANNUAL, LEAVE_TYPE_SICK: SICK } = LeaveType;
const { LEAVE_REQUEST_STATUS_PENDING: PENDING, LEAVE_REQUEST_STATUS_APPROVED: APPROVED } = LeaveRequestStatus;
const { LEAVE_REQUEST_STATUS_REJECTED: REJECTED, LEAVE_REQUEST_STATUS_CANCELLED: CANCELLED } = LeaveRequestStatus;
const K = LeaveMovementKind;

// Years chosen so that "has the approved leave started?" has the same answer whenever the tests run.
const FUTURE = 2099;
const PAST = 2020;

const openRequest = (overrides: Partial<OpenLeaveAccountRequest> = {}): OpenLeaveAccountRequest => ({
  requestId: randomUUID(),
  employeeId: randomUUID(),
  leaveType: ANNUAL,
  year: FUTURE,
  entitlementHalfDays: 20,
  ...overrides,
});

function present<T>(value: T | undefined): T {
  if (value === undefined) throw new Error("the response lacks an expected message");
  return value;
}

async function open(caller: Caller, overrides: Partial<OpenLeaveAccountRequest> = {}): Promise<LeaveAccount> {
  return present((await timeoff.leaveAccounts.openLeaveAccount(openRequest(overrides), caller)).leaveAccount);
}

async function read(caller: Caller, id: string): Promise<LeaveAccount> {
  return present((await timeoff.leaveAccounts.getLeaveAccount({ id }, caller)).leaveAccount);
}

const leaveRequest = (a: LeaveAccount, start: string, end = start, more: Partial<RequestLeaveRequest> = {}) => ({
  requestId: randomUUID(),
  id: a.id,
  etag: "",
  startDate: start,
  endDate: end,
  halfDay: false,
  note: "",
  ...more,
});

async function requestLeave(caller: Caller, a: LeaveAccount, start: string, end = start) {
  const answer = await timeoff.leaveAccounts.requestLeave(leaveRequest(a, start, end), caller);
  return { account: present(answer.leaveAccount), request: present(answer.leaveRequest) };
}

type Decision = "approveLeave" | "rejectLeave" | "cancelLeave";
async function decide(caller: Caller, decision: Decision, a: LeaveAccount, r: LeaveRequest, etag = "") {
  const call = { requestId: randomUUID(), id: a.id, etag, leaveRequestId: r.id };
  const answer = await timeoff.leaveAccounts[decision](call, caller);
  return { account: present(answer.leaveAccount), request: present(answer.leaveRequest) };
}

/** Every movement of an account, reading all pages. */
async function history(caller: Caller, leaveAccountId: string): Promise<LeaveMovement[]> {
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
function fold(movements: readonly LeaveMovement[]): LeaveBalance {
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
async function auditedHistory(caller: Caller, a: LeaveAccount): Promise<LeaveMovement[]> {
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
function workingDays(year: number, count: number, from = `${year}-01-01`): string[] {
  const days: string[] = [];
  for (let d = new Date(`${from}T00:00:00Z`); days.length < count; d.setUTCDate(d.getUTCDate() + 1)) {
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) days.push(d.toISOString().slice(0, 10));
  }
  return days;
}

const rowsOf = async (tenantId: string) => ({
  accounts: await timeoff.db.leaveAccount.count({ where: { tenantId } }),
  requests: await timeoff.db.leaveRequest.count({ where: { tenantId } }),
  movements: await timeoff.db.leaveMovement.count({ where: { tenantId } }),
});

describe("opening and reading leave accounts", () => {
  it("opens an account with its entitlement and an OPENED movement, and reads it back", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const employeeId = randomUUID();
    const opened = await open(acme, { employeeId: employeeId.toUpperCase(), leaveType: SICK, entitlementHalfDays: 25 });
    expect(opened).toMatchObject({ employeeId, leaveType: SICK, year: FUTURE, leaveRequests: [] });
    expect(opened.balance).toEqual({
      ...{ entitlementHalfDays: 25, accruedHalfDays: 0, reservedHalfDays: 0, approvedHalfDays: 0 },
      availableHalfDays: 25,
    });
    expect(opened.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(opened.updateTime).toEqual(opened.createTime);
    expect(await read(acme, opened.id)).toEqual(opened);
    expect(await read(acme, opened.id.toUpperCase())).toEqual(opened);

    const movements = await auditedHistory(acme, opened);
    expect(movements).toEqual([
      {
        ...{ sequence: 1, kind: K.LEAVE_MOVEMENT_KIND_OPENED, amountHalfDays: 25, leaveRequestId: "", reason: "" },
        ...{ balance: opened.balance, createTime: opened.createTime },
      },
    ]);
    expect(await rowsOf(tenant)).toEqual({ accounts: 1, requests: 0, movements: 1 });
  });

  it("refuses a second account of one employee, type and year; other types, years and tenants are fine", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const employeeId = randomUUID();
    await open(acme, { employeeId });
    const error = await expectError(
      timeoff.leaveAccounts.openLeaveAccount(openRequest({ employeeId: employeeId.toUpperCase() }), acme),
      Status.ALREADY_EXISTS,
    );
    expect(error.reason).toBe("LEAVE_ACCOUNT_EXISTS");
    expect(error.fields).toEqual(["employee_id"]);
    expect(await rowsOf(tenant)).toEqual({ accounts: 1, requests: 0, movements: 1 });

    await open(acme, { employeeId, leaveType: SICK });
    await open(acme, { employeeId, year: FUTURE - 1 });
    await open(await as(newTenant()), { employeeId });
    expect((await rowsOf(tenant)).accounts).toBe(3);
  });

  it("names every bad field of an opening at once, writes nothing, and keeps serving", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const unknownType: number = 99;
    const cases: [Partial<OpenLeaveAccountRequest>, string[]][] = [
      [
        { employeeId: "emp-1", leaveType: unknownType as LeaveType, year: 1999, entitlementHalfDays: -1 },
        ["employee_id", "entitlement_half_days", "leave_type", "year"],
      ],
      [{ employeeId: "", leaveType: LeaveType.LEAVE_TYPE_UNSPECIFIED, year: 0 }, ["employee_id", "leave_type", "year"]],
      [
        { leaveType: -1 as LeaveType, year: 2101, entitlementHalfDays: 733 },
        ["entitlement_half_days", "leave_type", "year"],
      ],
      [{ employeeId: "x".repeat(10_000) }, ["employee_id"]],
      [{ requestId: "x".repeat(10_000) }, ["request_id"]],
      [{ requestId: "" }, ["request_id"]],
      [{ entitlementHalfDays: 2 ** 31 - 1 }, ["entitlement_half_days"]],
    ];
    for (const [overrides, fields] of cases) {
      const error = await expectError(
        timeoff.leaveAccounts.openLeaveAccount(openRequest(overrides), acme),
        Status.INVALID_ARGUMENT,
      );
      expect(error.fields.sort(), JSON.stringify(overrides).slice(0, 80)).toEqual(fields);
    }
    expect(await rowsOf(tenant)).toEqual({ accounts: 0, requests: 0, movements: 0 });
    await open(acme);
    expect((await rowsOf(tenant)).accounts).toBe(1);
  });

  it("refuses malformed ids on reads", async () => {
    const acme = await as(newTenant());
    const reads = [
      () => timeoff.leaveAccounts.getLeaveAccount({ id: "not-a-uuid" }, acme),
      () => timeoff.leaveAccounts.getLeaveAccount({ id: "" }, acme),
      () =>
        timeoff.leaveAccounts.listLeaveMovements(
          { leaveAccountId: "x".repeat(10_000), pageSize: 1, pageToken: "" },
          acme,
        ),
    ];
    for (const attempt of reads) expect((await expectError(attempt(), Status.INVALID_ARGUMENT)).fields).toHaveLength(1);
    await expectError(timeoff.leaveAccounts.getLeaveAccount({ id: randomUUID() }, acme), Status.NOT_FOUND);
  });
});

describe("the leave request lifecycle", () => {
  it("reserves on request, moves reserved to approved on approval, and keeps the history", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const account = await open(acme, { entitlementHalfDays: 20 });
    // 2099-03-06 is a Friday: Friday to Tuesday is three working days.
    const asked = await timeoff.leaveAccounts.requestLeave(
      leaveRequest(account, "2099-03-06", "2099-03-10", { note: " Family visit ", etag: account.etag }),
      acme,
    );
    const pending = present(asked.leaveRequest);
    expect(pending).toMatchObject({
      ...{ startDate: "2099-03-06", endDate: "2099-03-10", halfDay: false, amountHalfDays: 6 },
      ...{ note: "Family visit", status: PENDING },
    });
    const reserved = present(asked.leaveAccount);
    expect(reserved.balance).toMatchObject({ reservedHalfDays: 6, approvedHalfDays: 0, availableHalfDays: 14 });
    expect(reserved.leaveRequests).toEqual([pending]);
    expect(reserved.etag).not.toBe(account.etag);

    const approved = await decide(acme, "approveLeave", reserved, pending, reserved.etag);
    expect(approved.request).toMatchObject({ id: pending.id, status: APPROVED, createTime: pending.createTime });
    expect(approved.account.balance).toMatchObject({ reservedHalfDays: 0, approvedHalfDays: 6, availableHalfDays: 14 });
    expect(await read(acme, account.id)).toEqual(approved.account);

    const movements = await auditedHistory(acme, approved.account);
    expect(movements.map((m) => [m.kind, m.amountHalfDays, m.leaveRequestId])).toEqual([
      [K.LEAVE_MOVEMENT_KIND_OPENED, 20, ""],
      [K.LEAVE_MOVEMENT_KIND_RESERVED, 6, pending.id],
      [K.LEAVE_MOVEMENT_KIND_TAKEN, 6, pending.id],
    ]);
    expect(await rowsOf(tenant)).toEqual({ accounts: 1, requests: 1, movements: 3 });
  });

  it("takes half a day, rejects and cancels pending requests, and cancels approved leave before it starts", async () => {
    const acme = await as(newTenant());
    let account = await open(acme, { entitlementHalfDays: 9 });
    const half = await timeoff.leaveAccounts.requestLeave(
      leaveRequest(account, "2099-05-04", "2099-05-04", { halfDay: true }),
      acme,
    );
    expect(half.leaveRequest).toMatchObject({ amountHalfDays: 1, halfDay: true, status: PENDING });
    const toReject = await requestLeave(acme, account, "2099-05-05");
    const toCancel = await requestLeave(acme, account, "2099-05-06");
    const toRestore = await requestLeave(acme, account, "2099-05-07", "2099-05-08");
    expect(toRestore.account.balance?.availableHalfDays).toBe(0);

    expect((await decide(acme, "rejectLeave", account, toReject.request)).request.status).toBe(REJECTED);
    expect((await decide(acme, "cancelLeave", account, toCancel.request)).request.status).toBe(CANCELLED);
    await decide(acme, "approveLeave", account, toRestore.request);
    const restored = await decide(acme, "cancelLeave", account, toRestore.request);
    expect(restored.request.status).toBe(CANCELLED);
    account = restored.account;
    expect(account.balance).toMatchObject({ reservedHalfDays: 1, approvedHalfDays: 0, availableHalfDays: 8 });
    expect(account.leaveRequests.map((r) => r.status)).toEqual([PENDING, REJECTED, CANCELLED, CANCELLED]);

    const kinds = (await auditedHistory(acme, account)).map((m) => m.kind);
    expect(kinds).toEqual([
      ...[K.LEAVE_MOVEMENT_KIND_OPENED, K.LEAVE_MOVEMENT_KIND_RESERVED, K.LEAVE_MOVEMENT_KIND_RESERVED],
      ...[K.LEAVE_MOVEMENT_KIND_RESERVED, K.LEAVE_MOVEMENT_KIND_RESERVED, K.LEAVE_MOVEMENT_KIND_RELEASED],
      ...[K.LEAVE_MOVEMENT_KIND_RELEASED, K.LEAVE_MOVEMENT_KIND_TAKEN, K.LEAVE_MOVEMENT_KIND_RESTORED],
    ]);
  });

  it("accrues days with a reason, and only against the current etag", async () => {
    const acme = await as(newTenant());
    const account = await open(acme, { entitlementHalfDays: 0 });
    const accrue = (etag: string, amountHalfDays = 5, reason = "March accrual") =>
      timeoff.leaveAccounts.accrueLeave(
        { requestId: randomUUID(), id: account.id, etag, amountHalfDays, reason },
        acme,
      );
    const accrued = present((await accrue(account.etag)).leaveAccount);
    expect(accrued.balance).toMatchObject({ accruedHalfDays: 5, availableHalfDays: 5 });
    for (const etag of [account.etag, "", '"99"']) {
      expect((await expectError(accrue(etag), Status.ABORTED)).reason).toBe("ETAG_MISMATCH");
    }
    const invalid = await expectError(accrue(accrued.etag, 0, " "), Status.INVALID_ARGUMENT);
    expect(invalid.fields.sort()).toEqual(["amount_half_days", "reason"]);
    const movements = await auditedHistory(acme, await read(acme, account.id));
    expect(movements.at(-1)).toMatchObject({ kind: K.LEAVE_MOVEMENT_KIND_ACCRUED, reason: "March accrual" });
    expect(movements).toHaveLength(2);
  });

  it("refuses every transition the lifecycle does not allow, with its reason, and changes nothing", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const future = await open(acme, { entitlementHalfDays: 6 });
    const approved = await requestLeave(acme, future, "2099-06-01");
    await decide(acme, "approveLeave", future, approved.request);
    const rejected = await requestLeave(acme, future, "2099-06-02");
    await decide(acme, "rejectLeave", future, rejected.request);
    const pending = await requestLeave(acme, future, "2099-06-03");
    const past = await open(acme, { year: PAST });
    const started = await requestLeave(acme, past, "2020-06-01");
    await decide(acme, "approveLeave", past, started.request);

    const refusals: [() => Promise<unknown>, string][] = [
      [() => decide(acme, "approveLeave", future, approved.request), "LEAVE_REQUEST_NOT_PENDING"],
      [() => decide(acme, "rejectLeave", future, approved.request), "LEAVE_REQUEST_NOT_PENDING"],
      [() => decide(acme, "approveLeave", future, rejected.request), "LEAVE_REQUEST_NOT_PENDING"],
      [() => decide(acme, "cancelLeave", future, rejected.request), "LEAVE_REQUEST_CLOSED"],
      [() => decide(acme, "cancelLeave", past, started.request), "LEAVE_ALREADY_STARTED"],
      [() => requestLeave(acme, future, "2099-05-29", "2099-06-01"), "LEAVE_REQUEST_OVERLAPS"],
      [() => requestLeave(acme, future, "2099-06-03"), "LEAVE_REQUEST_OVERLAPS"],
      [() => requestLeave(acme, future, "2099-06-04", "2099-06-05"), "INSUFFICIENT_BALANCE"],
    ];
    const before = { future: await read(acme, future.id), past: await read(acme, past.id), rows: await rowsOf(tenant) };
    for (const [attempt, reason] of refusals) {
      const error = await expectError(attempt(), Status.FAILED_PRECONDITION);
      expect(error.reason).toBe(reason);
      expect(error.preconditions).toEqual([reason]);
    }
    expect(await read(acme, future.id)).toEqual(before.future);
    expect(await read(acme, past.id)).toEqual(before.past);
    expect(await rowsOf(tenant)).toEqual(before.rows);
    expect(before.future.balance?.availableHalfDays).toBe(2);
    expect(before.future.leaveRequests.find((r) => r.id === pending.request.id)?.status).toBe(PENDING);
  });

  it("answers NOT_FOUND for a leave request the account does not hold", async () => {
    const acme = await as(newTenant());
    const account = await open(acme);
    const other = await open(acme);
    const elsewhere = await requestLeave(acme, other, "2099-02-02");
    for (const leaveRequestId of [randomUUID(), elsewhere.request.id]) {
      const error = await expectError(
        timeoff.leaveAccounts.approveLeave({ requestId: randomUUID(), id: account.id, etag: "", leaveRequestId }, acme),
        Status.NOT_FOUND,
      );
      expect(error.reason).toBe("LEAVE_REQUEST_NOT_FOUND");
    }
    expect(await read(acme, account.id)).toEqual(account);
  });

  it("names every bad field of a leave request at once, writes nothing, and keeps serving", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const account = await open(acme);
    const huge = "x".repeat(10_000);
    const cases: [Partial<RequestLeaveRequest>, string[]][] = [
      [{ startDate: "2099-02-30", endDate: "", note: huge }, ["end_date", "note", "start_date"]],
      [{ startDate: "2098-12-31", endDate: "2100-01-04", halfDay: true }, ["end_date", "half_day", "start_date"]],
      [{ startDate: "2099-03-06", endDate: "2099-03-02" }, ["end_date"]],
      [{ startDate: "2099-03-07", endDate: "2099-03-08" }, ["end_date"]], // a weekend
      [{ startDate: "2099-03-02", endDate: "2099-03-03", halfDay: true }, ["half_day"]],
      [{ startDate: huge, endDate: huge, note: "a\u0000b" }, ["end_date", "note", "start_date"]],
      [{ id: "nope" }, ["id"]],
      [{ requestId: huge }, ["request_id"]],
    ];
    for (const [overrides, fields] of cases) {
      const error = await expectError(
        timeoff.leaveAccounts.requestLeave({ ...leaveRequest(account, "2099-03-02"), ...overrides }, acme),
        Status.INVALID_ARGUMENT,
      );
      expect(error.fields.sort(), JSON.stringify(overrides).slice(0, 80)).toEqual(fields);
    }
    const decisions = await expectError(
      timeoff.leaveAccounts.cancelLeave({ requestId: randomUUID(), id: "", etag: "", leaveRequestId: huge }, acme),
      Status.INVALID_ARGUMENT,
    );
    expect(decisions.fields).toEqual(["id", "leave_request_id"]);
    expect(await read(acme, account.id)).toEqual(account);
    expect(await rowsOf(tenant)).toEqual({ accounts: 1, requests: 0, movements: 1 });
    await requestLeave(acme, account, "2099-03-02");
  });
});

describe("optimistic concurrency", () => {
  it("refuses a stale etag on every command and changes nothing; an empty etag skips the check", async () => {
    const acme = await as(newTenant());
    const account = await open(acme);
    const { request: pending, account: current } = await requestLeave(acme, account, "2099-04-01");
    const stale = account.etag;
    const attempts = [
      () =>
        timeoff.leaveAccounts.requestLeave(leaveRequest(account, "2099-04-02", "2099-04-02", { etag: stale }), acme),
      () => decide(acme, "approveLeave", current, pending, stale),
      () => decide(acme, "rejectLeave", current, pending, stale),
      () => decide(acme, "cancelLeave", current, pending, stale),
      () =>
        timeoff.leaveAccounts.accrueLeave(
          { requestId: randomUUID(), id: account.id, etag: stale, amountHalfDays: 2, reason: "bonus" },
          acme,
        ),
    ];
    for (const attempt of attempts) expect((await expectError(attempt(), Status.ABORTED)).reason).toBe("ETAG_MISMATCH");
    expect(await read(acme, account.id)).toEqual(current);
    expect((await decide(acme, "approveLeave", current, pending, "")).request.status).toBe(APPROVED);
  });

  it("lets exactly one of two concurrent accruals with the same etag win", async () => {
    const acme = await as(newTenant());
    const account = await open(acme);
    const accrue = () =>
      timeoff.leaveAccounts.accrueLeave(
        { requestId: randomUUID(), id: account.id, etag: account.etag, amountHalfDays: 2, reason: "monthly" },
        acme,
      );
    const outcomes = await Promise.allSettled([accrue(), accrue(), accrue()]);
    const lost = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason] : []));
    expect(lost).toHaveLength(2);
    for (const error of lost)
      expect((await expectError(Promise.reject(error), Status.ABORTED)).reason).toBe("ETAG_MISMATCH");
    const current = await read(acme, account.id);
    expect(current.balance?.accruedHalfDays).toBe(2);
    await auditedHistory(acme, current);
  });

  it("decides a pending request once when an approval and a rejection race", async () => {
    const acme = await as(newTenant());
    const account = await open(acme);
    const { request } = await requestLeave(acme, account, "2099-07-01");
    const outcomes = await Promise.allSettled([
      decide(acme, "approveLeave", account, request),
      decide(acme, "rejectLeave", account, request),
    ]);
    const won = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
    const lost = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason] : []));
    expect(won).toHaveLength(1);
    expect((await expectError(Promise.reject(lost[0]), Status.FAILED_PRECONDITION)).reason).toBe(
      "LEAVE_REQUEST_NOT_PENDING",
    );
    const current = await read(acme, account.id);
    expect(current).toEqual(won[0]?.account);
    expect((await auditedHistory(acme, current)).length).toBe(3);
  });
});

describe("the balance under racing requests and decisions", () => {
  type Outcome = { request: LeaveRequest } | { error: unknown };

  async function tryRequest(caller: Caller, account: LeaveAccount, date: string): Promise<Outcome> {
    try {
      return { request: (await requestLeave(caller, account, date)).request };
    } catch (error) {
      return { error };
    }
  }

  async function expectOnlyInsufficientBalance(outcomes: Outcome[]): Promise<LeaveRequest[]> {
    for (const outcome of outcomes) {
      if ("error" in outcome) {
        const error = await expectError(Promise.reject(outcome.error), Status.FAILED_PRECONDITION);
        expect(error.reason).toBe("INSUFFICIENT_BALANCE");
      }
    }
    return outcomes.flatMap((o) => ("request" in o ? [o.request] : []));
  }

  it("grants exactly the 10 days of 40 concurrent one-day requests, approving each as soon as it is granted", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const account = await open(acme, { entitlementHalfDays: 20 });
    const outcomes = await Promise.all(
      workingDays(FUTURE, 40).map(async (date) => {
        const outcome = await tryRequest(acme, account, date);
        if ("request" in outcome) await decide(acme, "approveLeave", account, outcome.request);
        return outcome;
      }),
    );
    const granted = await expectOnlyInsufficientBalance(outcomes);
    expect(granted).toHaveLength(10);

    const final = await read(acme, account.id);
    expect(final.balance).toEqual({
      ...{ entitlementHalfDays: 20, accruedHalfDays: 0, reservedHalfDays: 0, approvedHalfDays: 20 },
      availableHalfDays: 0,
    });
    expect(final.leaveRequests.map((r) => r.id).sort()).toEqual(granted.map((r) => r.id).sort());
    expect(final.leaveRequests.every((r) => r.status === APPROVED)).toBe(true);
    const kinds = (await auditedHistory(acme, final)).map((m) => m.kind);
    expect(kinds.filter((k) => k === K.LEAVE_MOVEMENT_KIND_RESERVED)).toHaveLength(10);
    expect(kinds.filter((k) => k === K.LEAVE_MOVEMENT_KIND_TAKEN)).toHaveLength(10);
    expect(await rowsOf(tenant)).toEqual({ accounts: 1, requests: 10, movements: 21 });
  });

  it("keeps available ≥ 0 and the history adding up while requests race approvals, rejections and cancellations", async () => {
    const acme = await as(newTenant());
    const account = await open(acme, { entitlementHalfDays: 20 });
    const done = { approved: 0, rejected: 0, cancelledPending: 0, restored: 0 };
    let turn = 0;
    // Two in five granted requests keep their days (approved); the others give them back
    // (rejected, cancelled while pending, or approved and then cancelled before it starts).
    const follow = async (request: LeaveRequest) => {
      const plan = turn++ % 5;
      if (plan <= 1) {
        await decide(acme, "approveLeave", account, request);
        done.approved++;
      } else if (plan === 2) {
        await decide(acme, "rejectLeave", account, request);
        done.rejected++;
      } else if (plan === 3) {
        await decide(acme, "cancelLeave", account, request);
        done.cancelledPending++;
      } else {
        await decide(acme, "approveLeave", account, request);
        await decide(acme, "cancelLeave", account, request);
        done.approved++;
        done.restored++;
      }
    };
    // Four waves of 10 concurrent requests; each wave runs together with the decisions on the
    // previous wave's granted requests, so releases race requests. (A single burst would not:
    // the account's lock queue is first come, first served, and decisions sent after a burst
    // would all wait behind it.)
    const outcomes: Outcome[] = [];
    let decisions: LeaveRequest[] = [];
    const dates = workingDays(FUTURE, 40);
    for (let wave = 0; wave <= 4; wave++) {
      const requests = dates.slice(wave * 10, wave * 10 + 10).map((date) => tryRequest(acme, account, date));
      const [results] = await Promise.all([Promise.all(requests), Promise.all(decisions.map(follow))]);
      outcomes.push(...results);
      decisions = results.flatMap((o) => ("request" in o ? [o.request] : []));
    }
    const granted = await expectOnlyInsufficientBalance(outcomes);
    // The first wave takes all 10 days; the days released while the second wave runs are granted
    // to it or to the third: more than 10 grants. Two in five keep their days, so not all 40 fit.
    expect(granted.length).toBeGreaterThan(10);
    expect(granted.length).toBeLessThan(40);

    const final = await read(acme, account.id);
    const movements = await auditedHistory(acme, final);
    const count = (kind: LeaveMovementKind) => movements.filter((m) => m.kind === kind).length;
    expect(count(K.LEAVE_MOVEMENT_KIND_RESERVED)).toBe(granted.length);
    expect(count(K.LEAVE_MOVEMENT_KIND_TAKEN)).toBe(done.approved);
    expect(count(K.LEAVE_MOVEMENT_KIND_RELEASED)).toBe(done.rejected + done.cancelledPending);
    expect(count(K.LEAVE_MOVEMENT_KIND_RESTORED)).toBe(done.restored);
    expect(done.approved + done.rejected + done.cancelledPending).toBe(granted.length);
    const holding = final.leaveRequests.filter((r) => r.status === PENDING || r.status === APPROVED);
    expect(holding.map((r) => r.status)).toEqual(holding.map(() => APPROVED));
    expect(final.balance?.approvedHalfDays).toBe(2 * holding.length);
    expect(final.balance?.availableHalfDays).toBe(20 - 2 * holding.length);
    expect(final.leaveRequests).toHaveLength(granted.length);
  });
});

describe("tenancy", () => {
  it("hides another tenant's accounts from reads, lists, history and commands, and changes nothing", async () => {
    const acme = await as(newTenant());
    const account = await open(acme);
    const { request, account: current } = await requestLeave(acme, account, "2099-08-03");
    const otherTenant = newTenant();
    const other = await as(otherTenant);
    await expectError(timeoff.leaveAccounts.getLeaveAccount({ id: account.id }, other), Status.NOT_FOUND);
    const list = await timeoff.leaveAccounts.listLeaveAccounts(
      { pageSize: 10, pageToken: "", employeeId: "", year: 0 },
      other,
    );
    expect(list.leaveAccounts).toEqual([]);
    const attempts = [
      () =>
        timeoff.leaveAccounts.listLeaveMovements({ leaveAccountId: account.id, pageSize: 10, pageToken: "" }, other),
      () => requestLeave(other, account, "2099-08-04"),
      () => decide(other, "approveLeave", account, request),
      () => decide(other, "rejectLeave", account, request),
      () => decide(other, "cancelLeave", account, request),
      () =>
        timeoff.leaveAccounts.accrueLeave(
          { requestId: randomUUID(), id: account.id, etag: current.etag, amountHalfDays: 2, reason: "gift" },
          other,
        ),
    ];
    for (const attempt of attempts) {
      expect((await expectError(attempt(), Status.NOT_FOUND)).reason).toBe("LEAVE_ACCOUNT_NOT_FOUND");
    }
    expect(await read(acme, account.id)).toEqual(current);
    expect(await rowsOf(otherTenant)).toEqual({ accounts: 0, requests: 0, movements: 0 });
  });

  it("refuses calls without a token", async () => {
    await expectError(timeoff.leaveAccounts.getLeaveAccount({ id: randomUUID() }), Status.UNAUTHENTICATED);
  });
});

describe("request-id idempotency", () => {
  it("returns the first answer to a repeated opening and writes one account", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const request = openRequest();
    const first = await timeoff.leaveAccounts.openLeaveAccount(request, acme);
    expect(await timeoff.leaveAccounts.openLeaveAccount(request, acme)).toEqual(first);
    expect(await rowsOf(tenant)).toEqual({ accounts: 1, requests: 0, movements: 1 });
  });

  it("replays a RequestLeave with the same request, reserving once, even after later changes", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const account = await open(acme);
    const call = leaveRequest(account, "2099-09-01", "2099-09-02");
    const first = await timeoff.leaveAccounts.requestLeave(call, acme);
    const again = await timeoff.leaveAccounts.requestLeave(call, acme);
    expect(again).toEqual(first);
    await requestLeave(acme, account, "2099-09-03");
    expect(await timeoff.leaveAccounts.requestLeave(call, acme)).toEqual(first);

    const current = await read(acme, account.id);
    expect(current.balance).toMatchObject({ reservedHalfDays: 6, availableHalfDays: 14 });
    expect(current.leaveRequests.filter((r) => r.startDate === "2099-09-01")).toHaveLength(1);
    expect((await auditedHistory(acme, current)).length).toBe(3);
    expect(await rowsOf(tenant)).toEqual({ accounts: 1, requests: 2, movements: 3 });
  });

  it("answers concurrent repeats of a RequestLeave for the last day with the one granted request", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const account = await open(acme, { entitlementHalfDays: 2 });
    const call = leaveRequest(account, "2099-10-05");
    const answers = await Promise.all(Array.from({ length: 8 }, () => timeoff.leaveAccounts.requestLeave(call, acme)));
    expect(new Set(answers.map((a) => a.leaveRequest?.id)).size).toBe(1);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    const current = await read(acme, account.id);
    expect(current.balance?.availableHalfDays).toBe(0);
    expect(await rowsOf(tenant)).toEqual({ accounts: 1, requests: 1, movements: 2 });
  });

  it("refuses the same request id with another payload, and changes nothing", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const account = await open(acme);
    const call = leaveRequest(account, "2099-09-01");
    const { leaveAccount } = await timeoff.leaveAccounts.requestLeave(call, acme);
    const reuses = [
      () => timeoff.leaveAccounts.requestLeave({ ...call, endDate: "2099-09-02" }, acme),
      () => timeoff.leaveAccounts.openLeaveAccount(openRequest({ requestId: call.requestId }), acme),
    ];
    for (const attempt of reuses) {
      const error = await expectError(attempt(), Status.INVALID_ARGUMENT);
      expect(error.reason).toBe("REQUEST_ID_REUSED");
      expect(error.fields).toEqual(["request_id"]);
    }
    expect(await read(acme, account.id)).toEqual(leaveAccount);
    expect(await rowsOf(tenant)).toEqual({ accounts: 1, requests: 1, movements: 2 });
  });
});

describe("listing", () => {
  it("filters accounts by employee and year, combined with AND", async () => {
    const acme = await as(newTenant());
    const [ada, grace] = [randomUUID(), randomUUID()];
    const a1 = await open(acme, { employeeId: ada, year: 2098 });
    const a2 = await open(acme, { employeeId: ada, year: 2099 });
    const a3 = await open(acme, { employeeId: ada, year: 2099, leaveType: SICK });
    const g1 = await open(acme, { employeeId: grace, year: 2099 });
    const ids = async (employeeId: string, year: number) => {
      const page = await timeoff.leaveAccounts.listLeaveAccounts(
        { pageSize: 200, pageToken: "", employeeId, year },
        acme,
      );
      expect(page.nextPageToken).toBe("");
      return page.leaveAccounts.map((a) => a.id);
    };
    expect(await ids("", 0)).toEqual([a1.id, a2.id, a3.id, g1.id]);
    expect(await ids(ada.toUpperCase(), 0)).toEqual([a1.id, a2.id, a3.id]);
    expect(await ids("", 2099)).toEqual([a2.id, a3.id, g1.id]);
    expect(await ids(grace, 2099)).toEqual([g1.id]);
    expect(await ids(grace, 2098)).toEqual([]);

    const list = (pageSize: number, employeeId: string, year: number) =>
      timeoff.leaveAccounts.listLeaveAccounts({ pageSize, pageToken: "", employeeId, year }, acme);
    const bad: [() => Promise<unknown>, string[]][] = [
      [() => list(1, "ada", 2101), ["employee_id", "year"]],
      [() => list(1, "x".repeat(10_000), 0), ["employee_id"]],
      [() => list(1, "", 1999), ["year"]],
      [() => list(-1, "", 0), ["page_size"]],
    ];
    for (const [attempt, fields] of bad) {
      expect((await expectError(attempt(), Status.INVALID_ARGUMENT)).fields).toEqual(fields);
    }
  });

  it("pages through 25 accounts seven at a time, each once, in creation order; a token fits only its filters", async () => {
    const acme = await as(newTenant());
    const opened: string[] = [];
    for (let i = 0; i < 25; i++) opened.push((await open(acme, { year: 2000 + i })).id);
    const seen: string[] = [];
    const sizes: number[] = [];
    let pageToken = "";
    do {
      const page = await timeoff.leaveAccounts.listLeaveAccounts(
        { pageSize: 7, pageToken, employeeId: "", year: 0 },
        acme,
      );
      seen.push(...page.leaveAccounts.map((a) => a.id));
      sizes.push(page.leaveAccounts.length);
      pageToken = page.nextPageToken;
    } while (pageToken !== "" && sizes.length < 10);
    expect(seen).toEqual(opened);
    expect(sizes).toEqual([7, 7, 7, 4]);

    const first = await timeoff.leaveAccounts.listLeaveAccounts(
      { pageSize: 1, pageToken: "", employeeId: "", year: 0 },
      acme,
    );
    const misuse = [
      () =>
        timeoff.leaveAccounts.listLeaveAccounts(
          { pageSize: 1, pageToken: first.nextPageToken, employeeId: "", year: 2001 },
          acme,
        ),
      () =>
        timeoff.leaveAccounts.listLeaveAccounts({ pageSize: 1, pageToken: "garbage", employeeId: "", year: 0 }, acme),
    ];
    for (const attempt of misuse)
      expect((await expectError(attempt(), Status.INVALID_ARGUMENT)).fields).toEqual(["page_token"]);
  });

  it("pages through an account's history in sequence order, each movement once", async () => {
    const acme = await as(newTenant());
    const account = await open(acme, { entitlementHalfDays: 40 });
    for (const date of workingDays(FUTURE, 11)) await requestLeave(acme, account, date);
    const seen: number[] = [];
    const sizes: number[] = [];
    let pageToken = "";
    do {
      const page = await timeoff.leaveAccounts.listLeaveMovements(
        { leaveAccountId: account.id, pageSize: 5, pageToken },
        acme,
      );
      seen.push(...page.movements.map((m) => m.sequence));
      sizes.push(page.movements.length);
      pageToken = page.nextPageToken;
    } while (pageToken !== "" && sizes.length < 10);
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(sizes).toEqual([5, 5, 2]);

    const other = await open(acme);
    const page = await timeoff.leaveAccounts.listLeaveMovements(
      { leaveAccountId: account.id, pageSize: 5, pageToken: "" },
      acme,
    );
    const misuse = [
      () =>
        timeoff.leaveAccounts.listLeaveMovements(
          { leaveAccountId: other.id, pageSize: 5, pageToken: page.nextPageToken },
          acme,
        ),
      () =>
        timeoff.leaveAccounts.listLeaveMovements({ leaveAccountId: account.id, pageSize: 5, pageToken: "e30" }, acme),
    ];
    for (const attempt of misuse)
      expect((await expectError(attempt(), Status.INVALID_ARGUMENT)).fields).toEqual(["page_token"]);
    await expectError(
      timeoff.leaveAccounts.listLeaveMovements({ leaveAccountId: randomUUID(), pageSize: 5, pageToken: "" }, acme),
      Status.NOT_FOUND,
    );
  });
});
