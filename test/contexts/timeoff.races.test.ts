import { randomUUID } from "node:crypto";
import { Status } from "nice-grpc";
import { describe, expect, it } from "vitest";
import type {
  LeaveAccount,
  LeaveMovementKind,
  LeaveRequest,
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
  open,
  PENDING,
  REJECTED,
  read,
  requestLeave,
  rowsOf,
  startTimeoffPerFile,
  timeoff,
  workingDays,
} from "./timeoff.fixtures.js";

// The timeoff context under concurrent calls: etags, decisions and the balance.
// Run alone: npx vitest run test/contexts/timeoff

startTimeoffPerFile();

describe("optimistic concurrency", () => {
  it("skips the check for an empty etag on RequestLeave and the decisions, but not on AccrueLeave", async () => {
    // The convention suite (test/conventions/timeoff.test.ts) refuses stale etags on every command.
    const acme = await as(newTenant());
    const account = await open(acme);
    const { request: first } = await requestLeave(acme, account, "2099-04-01");
    const { request: second } = await requestLeave(acme, account, "2099-04-02");
    expect((await decide(acme, "approveLeave", account, first, "")).request.status).toBe(APPROVED);
    expect((await decide(acme, "rejectLeave", account, second, "")).request.status).toBe(REJECTED);
    expect((await decide(acme, "cancelLeave", account, first, "")).request.status).toBe(CANCELLED);
    const accrual = { requestId: randomUUID(), id: account.id, etag: "", amountHalfDays: 2, reason: "bonus" };
    await expectError(timeoff.leaveAccounts.accrueLeave(accrual, acme), Status.ABORTED);
    await auditedHistory(acme, await read(acme, account.id));
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
