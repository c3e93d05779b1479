import { describe, expect, it } from "vitest";
import { DomainError } from "../../runtime/domain/domain-error.js";
import {
  balanceOf,
  type LeaveAccount,
  type LeaveBalance,
  type LeaveChange,
  type LeaveMovement,
  type LeaveRequest,
} from "../../services/timeoff/leave-account/leave-account.js";
import { accrueLeave, openLeaveAccount } from "../../services/timeoff/leave-account/leave-credits.js";
import {
  approveLeave,
  cancelLeave,
  MAX_LEAVE_REQUESTS,
  type NewLeaveRequest,
  rejectLeave,
  requestLeave,
} from "../../services/timeoff/leave-account/leave-requests.js";
import { settleLeaveAccount } from "../../services/timeoff/leave-account/leave-settlement.js";
import { workingDaysBetween } from "../../services/timeoff/leave-account/working-days.js";

const T0 = "2026-01-05T08:00:00.000Z";
const T1 = "2026-02-01T09:00:00.000Z";
const TENANT = "tenant-a";
const ACCOUNT = "00000000-0000-7000-8000-000000000001";
const EMPLOYEE = "00000000-0000-4000-8000-0000000000e1";
const R = (n: number) => `00000000-0000-7000-8000-0000000001${String(n).padStart(2, "0")}`;

/** A frozen account of 2026 with `entitlement` half days, no requests, at version 1. */
function account(entitlementHalfDays = 20, overrides: Partial<LeaveAccount> = {}): LeaveAccount {
  const base: LeaveAccount = {
    ...{ id: ACCOUNT, tenantId: TENANT, employeeId: EMPLOYEE, leaveType: "annual", year: 2026 },
    ...{ entitlementHalfDays, accruedHalfDays: 0, requests: [], status: "open", settlement: null },
    ...{ version: 1, createTime: T0, updateTime: T0 },
  };
  return deepFreeze({ ...base, ...overrides });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

// 2026-03-02 is a Monday.
const ask = (id: number, startDate: string, endDate = startDate, more: Partial<NewLeaveRequest> = {}) => ({
  id: R(id),
  startDate,
  endDate,
  halfDay: false,
  note: "",
  ...more,
});

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError");
}

const fieldsOf = (error: DomainError) => error.fieldViolations.map((v) => v.field).sort();

function expectPrecondition(error: DomainError, reason: string): void {
  expect(error.kind).toBe("failed_precondition");
  expect(error.reason).toBe(reason);
  expect(error.preconditionViolations.map((v) => v.type)).toEqual([reason]);
}

/** Applies movements in order from a zero balance, as a client reading the history would. */
function fold(movements: readonly LeaveMovement[]): LeaveBalance {
  const b = { entitlementHalfDays: 0, accruedHalfDays: 0, reservedHalfDays: 0, approvedHalfDays: 0 };
  for (const m of movements) {
    const n = m.amountHalfDays;
    if (m.kind === "opened") b.entitlementHalfDays = n;
    if (m.kind === "accrued") b.accruedHalfDays += n;
    if (m.kind === "reserved") b.reservedHalfDays += n;
    if (m.kind === "released") b.reservedHalfDays -= n;
    if (m.kind === "taken") [b.reservedHalfDays, b.approvedHalfDays] = [b.reservedHalfDays - n, b.approvedHalfDays + n];
    if (m.kind === "restored") b.approvedHalfDays -= n;
  }
  const available = b.entitlementHalfDays + b.accruedHalfDays - b.reservedHalfDays - b.approvedHalfDays;
  return { ...b, availableHalfDays: available };
}

const requestOf = (change: LeaveChange): LeaveRequest => {
  const found = change.account.requests.find((r) => r.id === change.movement.leaveRequestId);
  if (!found) throw new Error("no request in the change");
  return found;
};

describe("working days", () => {
  it("counts Monday to Friday, inclusive of both ends", () => {
    expect(workingDaysBetween("2026-03-02", "2026-03-02")).toBe(1); // Monday
    expect(workingDaysBetween("2026-03-02", "2026-03-06")).toBe(5); // Monday to Friday
    expect(workingDaysBetween("2026-03-06", "2026-03-09")).toBe(2); // Friday to Monday
    expect(workingDaysBetween("2026-03-07", "2026-03-08")).toBe(0); // the weekend
    expect(workingDaysBetween("2026-03-02", "2026-03-15")).toBe(10); // two whole weeks
    expect(workingDaysBetween("2026-01-01", "2026-12-31")).toBe(261);
    expect(workingDaysBetween("2024-02-28", "2024-03-01")).toBe(3); // leap day, a Thursday
    expect(workingDaysBetween("2026-03-06", "2026-03-02")).toBe(0); // reversed
  });
});

describe("openLeaveAccount", () => {
  it("opens at version 1 with an OPENED movement holding the entitlement", () => {
    const change = openLeaveAccount(
      {
        id: ACCOUNT,
        tenantId: TENANT,
        employeeId: EMPLOYEE.toUpperCase(),
        leaveType: "sick",
        year: 2026,
        entitlementHalfDays: 0,
      },
      T1,
    );
    expect(change.account).toEqual({ ...account(0), leaveType: "sick", createTime: T1, updateTime: T1 });
    expect(change.movement).toEqual({
      ...{ sequence: 1, kind: "opened", amountHalfDays: 0, leaveRequestId: null, reason: "" },
      balance: fold([change.movement]),
      createTime: T1,
    });
  });

  it("takes the entitlement in half days", () => {
    const input = { id: ACCOUNT, tenantId: TENANT, employeeId: EMPLOYEE, leaveType: "annual" as const, year: 2100 };
    const change = openLeaveAccount({ ...input, entitlementHalfDays: 55 }, T1);
    expect(balanceOf(change.account)).toEqual({
      ...{ entitlementHalfDays: 55, accruedHalfDays: 0, reservedHalfDays: 0, approvedHalfDays: 0 },
      availableHalfDays: 55,
    });
    expect(change.movement.amountHalfDays).toBe(55);
  });

  it("names every bad field at once", () => {
    const base = { id: ACCOUNT, tenantId: TENANT };
    const cases = [
      { employeeId: "emp-1", leaveType: null, year: 1999, entitlementHalfDays: -1 },
      { employeeId: "", leaveType: null, year: 2101, entitlementHalfDays: 733 },
      { employeeId: "x".repeat(10_000), leaveType: null, year: 2026.5, entitlementHalfDays: 1.5 },
    ];
    for (const input of cases) {
      const error = refusal(() => openLeaveAccount({ ...base, ...input }, T1));
      expect(error.kind).toBe("invalid_argument");
      expect(fieldsOf(error)).toEqual(["employee_id", "entitlement_half_days", "leave_type", "year"]);
    }
  });
});

describe("accrueLeave", () => {
  it("adds to the accrued days with an ACCRUED movement carrying the reason", () => {
    const change = accrueLeave(account(20), { amountHalfDays: 5, reason: "  March accrual " }, T1);
    expect(change.account).toEqual({ ...account(20), accruedHalfDays: 5, version: 2, updateTime: T1 });
    expect(change.movement).toMatchObject({ sequence: 2, kind: "accrued", amountHalfDays: 5, reason: "March accrual" });
    expect(change.movement.balance.availableHalfDays).toBe(25);
  });

  it("refuses a non-positive or huge amount and a blank, huge or control-character reason", () => {
    for (const amountHalfDays of [0, -2, 733, 1.5]) {
      const error = refusal(() => accrueLeave(account(), { amountHalfDays, reason: "ok" }, T1));
      expect(fieldsOf(error)).toEqual(["amount_half_days"]);
    }
    for (const reason of ["", "   ", "x".repeat(10_000), "a\u0000b"]) {
      const error = refusal(() => accrueLeave(account(), { amountHalfDays: 1, reason }, T1));
      expect(fieldsOf(error)).toEqual(["reason"]);
    }
  });

  it("refuses to take entitlement and accruals past the credit limit", () => {
    const full = account(700, { accruedHalfDays: 1200 });
    expect(accrueLeave(full, { amountHalfDays: 100, reason: "carry-over" }, T1).account.accruedHalfDays).toBe(1300);
    expectPrecondition(
      refusal(() => accrueLeave(full, { amountHalfDays: 101, reason: "carry-over" }, T1)),
      "CREDIT_LIMIT_EXCEEDED",
    );
  });
});

describe("requestLeave", () => {
  it("creates a pending request that reserves two half days per working day", () => {
    const change = requestLeave(account(20), ask(1, "2026-03-06", "2026-03-10", { note: " Beach " }), T1);
    expect(requestOf(change)).toEqual({
      ...{ id: R(1), startDate: "2026-03-06", endDate: "2026-03-10", halfDay: false, amountHalfDays: 6 },
      ...{ note: "Beach", status: "pending", createTime: T1, updateTime: T1 },
    });
    expect(change.movement).toMatchObject({ sequence: 2, kind: "reserved", amountHalfDays: 6, leaveRequestId: R(1) });
    expect(change.movement.balance).toEqual({
      ...{ entitlementHalfDays: 20, accruedHalfDays: 0, reservedHalfDays: 6, approvedHalfDays: 0 },
      availableHalfDays: 14,
    });
    expect(change.account.version).toBe(2);
  });

  it("counts a half day as 1", () => {
    const change = requestLeave(account(1), ask(1, "2026-03-04", "2026-03-04", { halfDay: true }), T1);
    expect(requestOf(change).amountHalfDays).toBe(1);
    expect(change.movement.balance.availableHalfDays).toBe(0);
  });

  it("spends the balance to exactly zero and refuses a half day more", () => {
    const spent = requestLeave(account(10), ask(1, "2026-03-02", "2026-03-06"), T1).account;
    expect(balanceOf(spent).availableHalfDays).toBe(0);
    const error = refusal(() => requestLeave(spent, ask(2, "2026-03-09", "2026-03-09", { halfDay: true }), T1));
    expectPrecondition(error, "INSUFFICIENT_BALANCE");
    expectPrecondition(
      refusal(() => requestLeave(account(9), ask(1, "2026-03-02", "2026-03-06"), T1)),
      "INSUFFICIENT_BALANCE",
    );
  });

  it("names every bad field at once", () => {
    const cases: [NewLeaveRequest, string[]][] = [
      [ask(1, "2026-02-30", "", { note: "x".repeat(501) }), ["end_date", "note", "start_date"]],
      [ask(1, "2025-12-31", "2027-01-04", { halfDay: true }), ["end_date", "half_day", "start_date"]],
      [ask(1, "2026-03-06", "2026-03-02"), ["end_date"]],
      [ask(1, "2026-03-07", "2026-03-08"), ["end_date"]], // a weekend holds no working day
      [ask(1, "2026-03-07", "2026-03-07", { halfDay: true }), ["end_date"]],
      [ask(1, "2026-03-02", "2026-03-03", { halfDay: true }), ["half_day"]],
      [ask(1, "x".repeat(10_000), "2026-3-2", { note: "a\u0007b" }), ["end_date", "note", "start_date"]],
    ];
    for (const [input, fields] of cases) {
      const error = refusal(() => requestLeave(account(), input, T1));
      expect(error.kind).toBe("invalid_argument");
      expect(fieldsOf(error), JSON.stringify(input).slice(0, 80)).toEqual(fields);
    }
  });

  it("refuses dates overlapping a pending or approved request, not a rejected or cancelled one", () => {
    const first = requestLeave(account(40), ask(1, "2026-03-02", "2026-03-04"), T1).account;
    const overlapping = ask(2, "2026-03-04", "2026-03-05");
    expectPrecondition(
      refusal(() => requestLeave(first, overlapping, T1)),
      "LEAVE_REQUEST_OVERLAPS",
    );
    const approved = approveLeave(first, R(1), T1).account;
    expectPrecondition(
      refusal(() => requestLeave(approved, overlapping, T1)),
      "LEAVE_REQUEST_OVERLAPS",
    );
    for (const closed of [rejectLeave(first, R(1), T1).account, cancelLeave(first, R(1), "2026-01-01", T1).account]) {
      expect(requestOf(requestLeave(closed, overlapping, T1)).status).toBe("pending");
    }
    expect(requestLeave(first, ask(3, "2026-03-05"), T1).account.requests).toHaveLength(2);
  });

  it("bounds the number of requests an account holds", () => {
    const closed = (i: number): LeaveRequest => ({
      ...{ id: R(i), startDate: "2026-03-02", endDate: "2026-03-02", halfDay: false, amountHalfDays: 2 },
      ...{ note: "", status: "rejected", createTime: T0, updateTime: T0 },
    });
    const requests = Array.from({ length: MAX_LEAVE_REQUESTS }, (_, i) => closed(i));
    const error = refusal(() => requestLeave(account(20, { requests }), ask(99, "2026-03-03"), T1));
    expectPrecondition(error, "TOO_MANY_LEAVE_REQUESTS");
  });
});

describe("deciding and cancelling", () => {
  const pending = () => requestLeave(account(20), ask(1, "2026-03-02", "2026-03-03"), T0).account;

  it("approves: reserved days become approved days, available unchanged (TAKEN)", () => {
    const change = approveLeave(pending(), R(1).toUpperCase(), T1);
    expect(requestOf(change)).toMatchObject({ status: "approved", createTime: T0, updateTime: T1 });
    expect(change.movement).toMatchObject({ sequence: 3, kind: "taken", amountHalfDays: 4, leaveRequestId: R(1) });
    expect(change.movement.balance).toMatchObject({ reservedHalfDays: 0, approvedHalfDays: 4, availableHalfDays: 16 });
  });

  it("rejects: the reserved days come back (RELEASED)", () => {
    const change = rejectLeave(pending(), R(1), T1);
    expect(requestOf(change).status).toBe("rejected");
    expect(change.movement).toMatchObject({ kind: "released", amountHalfDays: 4 });
    expect(change.movement.balance).toMatchObject({ reservedHalfDays: 0, availableHalfDays: 20 });
  });

  it("cancels a pending request (RELEASED) and approved leave before its first day (RESTORED)", () => {
    const released = cancelLeave(pending(), R(1), "2026-03-02", T1);
    expect(requestOf(released).status).toBe("cancelled");
    expect(released.movement).toMatchObject({ kind: "released", amountHalfDays: 4 });
    const approved = approveLeave(pending(), R(1), T1).account;
    const restored = cancelLeave(approved, R(1), "2026-03-01", T1);
    expect(restored.movement).toMatchObject({ kind: "restored", amountHalfDays: 4 });
    expect(restored.movement.balance).toMatchObject({ approvedHalfDays: 0, availableHalfDays: 20 });
  });

  it("refuses to cancel approved leave that has started, on its first day and later", () => {
    const approved = approveLeave(pending(), R(1), T1).account;
    for (const today of ["2026-03-02", "2026-03-03", "2026-12-31"]) {
      expectPrecondition(
        refusal(() => cancelLeave(approved, R(1), today, T1)),
        "LEAVE_ALREADY_STARTED",
      );
    }
  });

  it("refuses decisions on requests that are not pending, and cancelling closed ones", () => {
    const approved = approveLeave(pending(), R(1), T1).account;
    const rejected = rejectLeave(pending(), R(1), T1).account;
    const cancelled = cancelLeave(pending(), R(1), "2026-01-01", T1).account;
    for (const a of [approved, rejected, cancelled]) {
      expectPrecondition(
        refusal(() => approveLeave(a, R(1), T1)),
        "LEAVE_REQUEST_NOT_PENDING",
      );
      expectPrecondition(
        refusal(() => rejectLeave(a, R(1), T1)),
        "LEAVE_REQUEST_NOT_PENDING",
      );
    }
    for (const a of [rejected, cancelled]) {
      expectPrecondition(
        refusal(() => cancelLeave(a, R(1), "2026-01-01", T1)),
        "LEAVE_REQUEST_CLOSED",
      );
    }
  });

  it("answers NOT_FOUND for a request the account does not hold", () => {
    for (const decide of [approveLeave, rejectLeave]) {
      const error = refusal(() => decide(pending(), R(7), T1));
      expect(error.kind).toBe("not_found");
      expect(error.reason).toBe("LEAVE_REQUEST_NOT_FOUND");
    }
    expect(refusal(() => cancelLeave(pending(), R(7), "2026-01-01", T1)).reason).toBe("LEAVE_REQUEST_NOT_FOUND");
  });
});

describe("the balance invariant", () => {
  it("never lets available go below zero, and the movements always add up, over random commands", () => {
    let seed = 42;
    // mulberry32: a tiny seeded generator, so a failure replays exactly.
    const random = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n);
    };
    let current = openLeaveAccount(
      { id: ACCOUNT, tenantId: TENANT, employeeId: EMPLOYEE, leaveType: "annual", year: 2026, entitlementHalfDays: 12 },
      T0,
    );
    const history: LeaveMovement[] = [current.movement];
    const refusals = new Set<string>();
    for (let step = 0; step < 2_000; step++) {
      const a = current.account;
      const some = () => a.requests[random(a.requests.length)]?.id ?? R(0);
      const day = 1 + random(365);
      const date = new Date(Date.UTC(2026, 0, day)).toISOString().slice(0, 10);
      const commands = [
        () => requestLeave(a, ask(0, date, date, { id: `r-${step}`, halfDay: random(2) === 0 }), T1),
        () => approveLeave(a, some(), T1),
        () => rejectLeave(a, some(), T1),
        () => cancelLeave(a, some(), "2026-06-30", T1),
        () => accrueLeave(a, { amountHalfDays: 1, reason: "monthly" }, T1),
      ];
      try {
        current = (commands[random(step % 50 === 0 ? 5 : 4)] ?? commands[0]!)();
        history.push(current.movement);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        refusals.add(error.reason);
      }
      expect(balanceOf(current.account).availableHalfDays).toBeGreaterThanOrEqual(0);
    }
    expect(history.map((m) => m.sequence)).toEqual(history.map((_, i) => i + 1));
    for (const [i, m] of history.entries()) expect(m.balance).toEqual(fold(history.slice(0, i + 1)));
    expect(fold(history)).toEqual(balanceOf(current.account));
    const kinds = new Set(history.map((m) => m.kind));
    expect([...kinds].sort()).toEqual(["accrued", "opened", "released", "reserved", "restored", "taken"]);
    expect([...refusals].sort()).toEqual([
      "INSUFFICIENT_BALANCE",
      "INVALID_ARGUMENT",
      "LEAVE_ALREADY_STARTED",
      "LEAVE_REQUEST_CLOSED",
      "LEAVE_REQUEST_NOT_FOUND",
      "LEAVE_REQUEST_NOT_PENDING",
      "LEAVE_REQUEST_OVERLAPS",
    ]);
    expect(JSON.parse(JSON.stringify(current))).toEqual(current);
  });
});

describe("settleLeaveAccount", () => {
  /** Approved 2 March (4), approved 29 June to 3 July (10), pending 4 May (2), approved 3 August (2): 40 granted. */
  function withLeave(): LeaveAccount {
    let a = account(40);
    a = approveLeave(requestLeave(a, ask(1, "2026-03-02", "2026-03-03"), T0).account, R(1), T0).account;
    a = approveLeave(requestLeave(a, ask(2, "2026-06-29", "2026-07-03"), T0).account, R(2), T0).account;
    a = requestLeave(a, ask(3, "2026-05-04"), T0).account;
    return approveLeave(requestLeave(a, ask(4, "2026-08-03"), T0).account, R(4), T0).account;
  }

  it("gives back pending leave and leave after the last day, one movement each, then records the days left", () => {
    const before = withLeave();
    const change = settleLeaveAccount(before, "2026-06-30", T1);
    expect(change.account.requests.map((r) => r.status)).toEqual(["approved", "approved", "cancelled", "cancelled"]);
    expect(
      change.movements.map(({ sequence, kind, amountHalfDays, leaveRequestId }) => ({
        sequence,
        kind,
        amountHalfDays,
        leaveRequestId,
      })),
    ).toEqual([
      { sequence: before.version + 1, kind: "released", amountHalfDays: 2, leaveRequestId: R(3) },
      { sequence: before.version + 2, kind: "restored", amountHalfDays: 2, leaveRequestId: R(4) },
      { sequence: before.version + 3, kind: "settled", amountHalfDays: 26, leaveRequestId: null },
    ]);
    expect(change.movement).toBe(change.movements[2]);
    expect(change.account).toMatchObject({
      status: "closed",
      settlement: { lastDay: "2026-06-30", remainingHalfDays: 26, settleTime: T1 },
      version: before.version + 3,
      updateTime: T1,
    });
    expect(balanceOf(change.account)).toMatchObject({
      reservedHalfDays: 0,
      approvedHalfDays: 14,
      availableHalfDays: 26,
    });
    expect(change.movement.balance).toEqual(balanceOf(change.account));
  });

  it("refuses a last day that is no date, and every command once closed, with LEAVE_ACCOUNT_CLOSED", () => {
    const open = withLeave();
    for (const lastDay of ["", "2026-02-30", "June 30"]) {
      expect(fieldsOf(refusal(() => settleLeaveAccount(open, lastDay, T1)))).toEqual(["last_day"]);
    }
    const closed = settleLeaveAccount(open, "2026-12-31", T1).account;
    const commands = [
      () => settleLeaveAccount(closed, "2026-12-31", T1),
      () => requestLeave(closed, ask(9, "2026-10-05"), T1),
      () => approveLeave(closed, R(1), T1),
      () => rejectLeave(closed, R(1), T1),
      () => cancelLeave(closed, R(4), "2026-01-01", T1),
      () => accrueLeave(closed, { amountHalfDays: 2, reason: "December accrual" }, T1),
    ];
    for (const command of commands) expectPrecondition(refusal(command), "LEAVE_ACCOUNT_CLOSED");
  });
});
