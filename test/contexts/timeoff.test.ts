import { randomUUID } from "node:crypto";
import { Status } from "nice-grpc";
import { describe, expect, it } from "vitest";
import {
  LeaveType,
  type OpenLeaveAccountRequest,
  type RequestLeaveRequest,
} from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { as, newTenant } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import {
  APPROVED,
  auditedHistory,
  CANCELLED,
  decide,
  FUTURE,
  K,
  leaveRequest,
  open,
  openRequest,
  PAST,
  PENDING,
  present,
  REJECTED,
  read,
  requestLeave,
  rowsOf,
  SICK,
  startTimeoffPerFile,
  timeoff,
  workingDays,
} from "./timeoff.fixtures.js";

// The timeoff context (hr.timeoff.v1.LeaveAccountService) through its
// generated client against a real timeoff server and database. Races:
// test/contexts/timeoff.races.test.ts; tenancy, request ids, etags and paging:
// test/conventions/timeoff.test.ts. Run alone: npx vitest run test/contexts/timeoff

startTimeoffPerFile();

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

describe("request-id idempotency", () => {
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
    ];
    for (const [attempt, fields] of bad) {
      expect((await expectError(attempt(), Status.INVALID_ARGUMENT)).fields).toEqual(fields);
    }
  });

  it("lists the accounts of several employees in one call; one limited to their own names only themselves", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const [ada, grace, linus] = [randomUUID(), randomUUID(), randomUUID()];
    const a1 = await open(acme, { employeeId: ada });
    const g1 = await open(acme, { employeeId: grace });
    await open(acme, { employeeId: linus });
    const g2 = await open(acme, { employeeId: grace, leaveType: SICK });
    const list = (employeeIds: string[], caller = acme, employeeId = "") =>
      timeoff.leaveAccounts.listLeaveAccounts({ pageSize: 2, pageToken: "", employeeId, employeeIds, year: 0 }, caller);

    // Two pages of two: a page token is issued for the ids in any order.
    const first = await list([grace, ada.toUpperCase(), grace]);
    expect(first.leaveAccounts.map((a) => a.id)).toEqual([a1.id, g1.id]);
    const next = await timeoff.leaveAccounts.listLeaveAccounts(
      { pageSize: 2, pageToken: first.nextPageToken, employeeId: "", employeeIds: [ada, grace], year: 0 },
      acme,
    );
    expect(next.leaveAccounts.map((a) => a.id)).toEqual([g2.id]);
    expect((await list([ada, grace], acme, grace)).leaveAccounts.map((a) => a.id)).toEqual([g1.id, g2.id]);
    expect((await list([randomUUID(), linus], await as(newTenant()))).leaveAccounts).toEqual([]);

    const adaHerself = await as(tenant, ["employee"], { userId: "login-of-ada", employeeId: ada });
    expect((await list([ada], adaHerself)).leaveAccounts.map((a) => a.id)).toEqual([a1.id]);
    for (const ids of [[ada, grace], [grace]]) {
      expect((await expectError(list(ids, adaHerself), Status.PERMISSION_DENIED)).reason).toBe("NOT_OWN_RESOURCE");
    }

    const tooMany = Array.from({ length: 201 }, () => randomUUID());
    expect((await expectError(list(tooMany), Status.INVALID_ARGUMENT)).fields).toEqual(["employee_ids"]);
    expect((await expectError(list([ada, "grace"]), Status.INVALID_ARGUMENT)).fields).toEqual(["employee_ids[1]"]);
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
