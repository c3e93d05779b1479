import { randomUUID } from "node:crypto";
import { Status } from "nice-grpc";
import { describe, expect, it } from "vitest";
import {
  type LeaveAccount,
  LeaveAccountStatus,
  type SettleLeaveAccountRequest,
} from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { as, type Caller, newTenant } from "../support/callers.js";
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
  PAST,
  present,
  REJECTED,
  read,
  requestLeave,
  rowsOf,
  startTimeoffPerFile,
  timeoff,
} from "./timeoff.fixtures.js";

// Settling a leave account when its employee leaves (SettleLeaveAccount), and
// what a closed account refuses afterwards. Run alone:
// npx vitest run test/contexts/timeoff.settlement.test.ts

startTimeoffPerFile();

const { LEAVE_ACCOUNT_STATUS_OPEN: OPEN, LEAVE_ACCOUNT_STATUS_CLOSED: CLOSED } = LeaveAccountStatus;
const asWorkflow = (tenantId: string) => as(tenantId, ["workflow_service"]);

const settleRequest = (a: LeaveAccount, lastDay: string, more: Partial<SettleLeaveAccountRequest> = {}) => ({
  requestId: randomUUID(),
  id: a.id,
  etag: a.etag,
  lastDay,
  ...more,
});

async function settle(caller: Caller, a: LeaveAccount, lastDay: string, more: Partial<SettleLeaveAccountRequest> = {}) {
  return present(
    (await timeoff.leaveAccounts.settleLeaveAccount(settleRequest(a, lastDay, more), caller)).leaveAccount,
  );
}

/**
 * An account of `year` (40 half days) with, in creation order: approved leave
 * before the last day (Mon 2 March, 2 half days), approved leave straddling
 * it (Mon 29 June to Fri 3 July, 10), pending leave before it (Mon 4 May, 2),
 * a rejected request (Tue 5 May, 2), and approved leave after it (Mon 3
 * August to Tue 4 August, 4). The last day is Tue 30 June.
 */
async function accountWithLeave(caller: Caller, year: number) {
  const opened = await open(caller, { year, entitlementHalfDays: 40 });
  const before = await requestLeave(caller, opened, `${year}-03-02`);
  await decide(caller, "approveLeave", opened, before.request);
  const straddling = await requestLeave(caller, opened, `${year}-06-29`, `${year}-07-03`);
  await decide(caller, "approveLeave", opened, straddling.request);
  const pending = await requestLeave(caller, opened, `${year}-05-04`);
  const rejected = await requestLeave(caller, opened, `${year}-05-05`);
  await decide(caller, "rejectLeave", opened, rejected.request);
  const after = await requestLeave(caller, opened, `${year}-08-03`, `${year}-08-04`);
  await decide(caller, "approveLeave", opened, after.request);
  const account = await read(caller, opened.id);
  const ids = { before, straddling, pending, rejected, after };
  return { account, lastDay: `${year}-06-30`, ...ids };
}

describe("settling a leave account", () => {
  it("cancels pending leave and leave after the last day, records the days left and closes the account", async () => {
    const tenant = newTenant();
    const hr = await as(tenant);
    const { account, lastDay, before, straddling, pending, rejected, after } = await accountWithLeave(hr, FUTURE);
    expect(account.status).toBe(OPEN);
    expect(account.settlement).toBeUndefined();
    expect(account.balance).toMatchObject({ reservedHalfDays: 2, approvedHalfDays: 16, availableHalfDays: 22 });
    const movementsBefore = (await auditedHistory(hr, account)).length;

    const settled = await settle(await asWorkflow(tenant), account, lastDay);

    // Kept: leave that started by the last day (whole, even the days after it), and the rejected request.
    const statusOf = (id: string) => settled.leaveRequests.find((r) => r.id === id)?.status;
    expect(statusOf(before.request.id)).toBe(APPROVED);
    expect(statusOf(straddling.request.id)).toBe(APPROVED);
    expect(statusOf(rejected.request.id)).toBe(REJECTED);
    expect(statusOf(pending.request.id)).toBe(CANCELLED);
    expect(statusOf(after.request.id)).toBe(CANCELLED);
    // 40 − 2 − 10 approved and kept = 28 left.
    expect(settled.balance).toEqual({
      ...{ entitlementHalfDays: 40, accruedHalfDays: 0, reservedHalfDays: 0, approvedHalfDays: 12 },
      availableHalfDays: 28,
    });
    expect(settled.status).toBe(CLOSED);
    expect(settled.settlement).toEqual({ lastDay, remainingHalfDays: 28, settleTime: settled.updateTime });

    // One movement per request given back, in request order, then the settlement; the history adds up.
    const movements = await auditedHistory(hr, settled);
    expect(
      movements.slice(movementsBefore).map(({ kind, amountHalfDays, leaveRequestId }) => ({
        kind,
        amountHalfDays,
        leaveRequestId,
      })),
    ).toEqual([
      { kind: K.LEAVE_MOVEMENT_KIND_RELEASED, amountHalfDays: 2, leaveRequestId: pending.request.id },
      { kind: K.LEAVE_MOVEMENT_KIND_RESTORED, amountHalfDays: 4, leaveRequestId: after.request.id },
      { kind: K.LEAVE_MOVEMENT_KIND_SETTLED, amountHalfDays: 28, leaveRequestId: "" },
    ]);
    expect(await read(hr, account.id)).toEqual(settled);
  });

  it("gives back approved leave after the last day even when it has started by now (a late termination)", async () => {
    const hr = await as(newTenant());
    const { account, lastDay, after, before } = await accountWithLeave(hr, PAST);
    // CancelLeave would refuse it: the leave started years ago.
    const late = decide(hr, "cancelLeave", account, after.request);
    expect((await expectError(late, Status.FAILED_PRECONDITION)).reason).toBe("LEAVE_ALREADY_STARTED");

    const settled = await settle(hr, account, lastDay);
    expect(settled.leaveRequests.find((r) => r.id === after.request.id)?.status).toBe(CANCELLED);
    expect(settled.leaveRequests.find((r) => r.id === before.request.id)?.status).toBe(APPROVED);
    expect(settled.settlement?.remainingHalfDays).toBe(28);
  });

  it("settles an account without requests: only the days left are recorded", async () => {
    const hr = await as(newTenant());
    const opened = await open(hr, { entitlementHalfDays: 7 });
    const settled = await settle(hr, opened, `${FUTURE}-01-15`);
    expect(settled).toMatchObject({ status: CLOSED, settlement: { remainingHalfDays: 7 }, etag: '"2"' });
    const movements = await auditedHistory(hr, settled);
    expect(movements.map((m) => m.kind)).toEqual([K.LEAVE_MOVEMENT_KIND_OPENED, K.LEAVE_MOVEMENT_KIND_SETTLED]);
  });
});

describe("a closed account", () => {
  it("refuses every command with FAILED_PRECONDITION LEAVE_ACCOUNT_CLOSED, writes nothing, and stays readable", async () => {
    const tenant = newTenant();
    const hr = await as(tenant);
    const opened = await open(hr);
    const { request: pending } = await requestLeave(hr, opened, `${FUTURE}-03-02`);
    const { request: approved } = await requestLeave(hr, opened, `${FUTURE}-03-03`);
    await decide(hr, "approveLeave", opened, approved);
    const closed = await settle(hr, await read(hr, opened.id), `${FUTURE}-12-31`);
    expect(closed.leaveRequests.map((r) => r.status)).toEqual([CANCELLED, APPROVED]);
    const rows = await rowsOf(tenant);

    const { leaveAccounts } = timeoff;
    // Each call made when its turn comes, so none rejects unobserved.
    const refusals = {
      requestLeave: () => leaveAccounts.requestLeave(leaveRequest(closed, `${FUTURE}-04-01`), hr),
      accrueLeave: () =>
        leaveAccounts.accrueLeave(
          { requestId: randomUUID(), id: closed.id, etag: closed.etag, amountHalfDays: 2, reason: "April accrual" },
          hr,
        ),
      approveLeave: () => decide(hr, "approveLeave", closed, pending),
      rejectLeave: () => decide(hr, "rejectLeave", closed, pending),
      cancelLeave: () => decide(hr, "cancelLeave", closed, approved),
      settleLeaveAccount: () => settle(hr, closed, `${FUTURE}-12-31`),
    };
    for (const [method, call] of Object.entries(refusals)) {
      const error = await expectError(call(), Status.FAILED_PRECONDITION);
      expect(error.reason, method).toBe("LEAVE_ACCOUNT_CLOSED");
    }
    expect(await rowsOf(tenant)).toEqual(rows);
    expect(await read(hr, closed.id)).toEqual(closed);
    await auditedHistory(hr, closed);
  });
});

describe("request ids, etags and bad input", () => {
  it("answers a repeated settlement with its first answer and writes nothing; another payload is REQUEST_ID_REUSED", async () => {
    const tenant = newTenant();
    const hr = await as(tenant);
    const opened = await open(hr);
    await requestLeave(hr, opened, `${FUTURE}-03-02`);
    const current = await read(hr, opened.id);
    const request = settleRequest(current, `${FUTURE}-02-27`);
    const first = await timeoff.leaveAccounts.settleLeaveAccount(request, hr);
    const rows = await rowsOf(tenant);

    expect(await timeoff.leaveAccounts.settleLeaveAccount(request, hr)).toEqual(first);
    expect(await rowsOf(tenant)).toEqual(rows);
    const reused = timeoff.leaveAccounts.settleLeaveAccount({ ...request, lastDay: `${FUTURE}-02-26` }, hr);
    expect((await expectError(reused, Status.INVALID_ARGUMENT)).reason).toBe("REQUEST_ID_REUSED");
    expect(await rowsOf(tenant)).toEqual(rows);
  });

  it("refuses a stale or empty etag with ABORTED ETAG_MISMATCH and writes nothing", async () => {
    const tenant = newTenant();
    const hr = await as(tenant);
    const opened = await open(hr);
    const { account: changed } = await requestLeave(hr, opened, `${FUTURE}-03-02`);
    const rows = await rowsOf(tenant);
    for (const etag of [opened.etag, ""]) {
      const stale = settle(hr, opened, `${FUTURE}-06-30`, { etag });
      expect((await expectError(stale, Status.ABORTED)).reason).toBe("ETAG_MISMATCH");
    }
    expect(await rowsOf(tenant)).toEqual(rows);
    expect((await read(hr, opened.id)).status).toBe(OPEN);
    expect((await settle(hr, changed, `${FUTURE}-06-30`)).status).toBe(CLOSED);
  });

  it("refuses a missing or malformed last day and a bad id with INVALID_ARGUMENT, naming the field", async () => {
    const tenant = newTenant();
    const hr = await as(tenant);
    const opened = await open(hr);
    const rows = await rowsOf(tenant);
    for (const lastDay of ["", "2099-02-30", "30/06/2099", "2099-06-30T00:00:00Z"]) {
      const error = await expectError(settle(hr, opened, lastDay), Status.INVALID_ARGUMENT);
      expect(error).toMatchObject({ reason: "INVALID_ARGUMENT", fields: ["last_day"] });
    }
    const badId = settle(hr, opened, `${FUTURE}-06-30`, { id: "not-a-uuid" });
    expect((await expectError(badId, Status.INVALID_ARGUMENT)).fields).toEqual(["id"]);
    const unknown = settle(hr, opened, `${FUTURE}-06-30`, { id: randomUUID() });
    expect((await expectError(unknown, Status.NOT_FOUND)).reason).toBe("LEAVE_ACCOUNT_NOT_FOUND");
    const otherTenant = settle(await as(newTenant()), opened, `${FUTURE}-06-30`);
    expect((await expectError(otherTenant, Status.NOT_FOUND)).reason).toBe("LEAVE_ACCOUNT_NOT_FOUND");
    expect(await rowsOf(tenant)).toEqual(rows);
  });
});

describe("who settles", () => {
  it("lets HR and the workflow service settle, not managers or employees, and never HR their own accounts", async () => {
    const tenant = newTenant();
    const hr = await as(tenant);
    const employeeId = randomUUID();
    const opened = await open(hr, { employeeId });
    const refused = [
      { caller: await as(tenant, ["manager"]), reason: "ROLE_REQUIRED" },
      { caller: await as(tenant, ["employee"], { employeeId }), reason: "ROLE_REQUIRED" },
      { caller: await as(tenant, ["hr_admin"], { employeeId }), reason: "OWN_RESOURCE_FORBIDDEN" },
    ];
    for (const { caller, reason } of refused) {
      const error = await expectError(settle(caller, opened, `${FUTURE}-06-30`), Status.PERMISSION_DENIED);
      expect(error.reason).toBe(reason);
    }
    expect((await read(hr, opened.id)).status).toBe(OPEN);

    // The workflow service finds the employee's accounts, and settles them.
    const workflow = await asWorkflow(tenant);
    const listed = await timeoff.leaveAccounts.listLeaveAccounts(
      { pageSize: 0, pageToken: "", employeeId, year: 0, employeeIds: [] },
      workflow,
    );
    expect(listed.leaveAccounts.map((a) => a.id)).toEqual([opened.id]);
    expect((await settle(workflow, opened, `${FUTURE}-06-30`)).status).toBe(CLOSED);
  });
});
