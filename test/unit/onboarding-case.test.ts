import { describe, expect, it } from "vitest";
import { DomainError } from "../../runtime/domain/domain-error.js";
import type { NewHire } from "../../services/cases/onboarding-case/new-hire.js";
import {
  cancelCase,
  completeCancellation,
  type OnboardingCase,
  openCase,
  recordStepDone,
  recordStepFailed,
  resumeCase,
} from "../../services/cases/onboarding-case/onboarding-case.js";

const T0 = "2027-01-01T00:00:00.000Z";
const T1 = "2027-01-01T00:01:00.000Z";
const LATER = "2027-01-01T00:05:00.000Z";
const ID = "00000000-0000-4000-8000-000000000001";
const EMPLOYEE = "00000000-0000-4000-8000-0000000000e1";
const ACCOUNT = "00000000-0000-4000-8000-0000000000a1";
const LEAVE = "00000000-0000-4000-8000-0000000000b1";

const hire: NewHire = {
  givenName: " Grace ",
  familyName: "Hopper",
  workEmail: "Grace@Example.com",
  jobTitle: "",
  departmentId: "00000000-0000-4000-8000-0000000000D1",
  managerId: "",
  startDate: "2027-01-04",
  loginName: "grace@example.com",
  roles: ["manager", "employee"],
  leaveEntitlements: [{ leaveType: "annual", entitlementHalfDays: 50 }],
};

const opened = (): OnboardingCase => openCase({ id: ID, tenantId: "t", newHire: hire, applicationId: "" }, T0);
const none = { employeeId: "", accountId: "", leaveAccountIds: [] };

function reasonOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.reason;
    throw error;
  }
  return undefined;
}

describe("an onboarding case", () => {
  it("opens at the hire, due now, with the details normalized", () => {
    const c = opened();
    expect([c.state, c.currentStep, c.nextAttemptTime, c.version]).toEqual(["in_progress", "hire_employee", T0, 1]);
    expect(c.newHire).toMatchObject({
      givenName: "Grace",
      workEmail: "grace@example.com",
      roles: ["employee", "manager"],
    });
    expect(c.newHire.departmentId).toBe("00000000-0000-4000-8000-0000000000d1");
  });

  it("walks the steps in order to COMPLETED, keeping what each produced", () => {
    let c = recordStepDone(opened(), "hire_employee", { ...none, employeeId: EMPLOYEE }, T1);
    c = recordStepDone(c, "create_login", { ...none, accountId: ACCOUNT }, T1);
    c = recordStepDone(c, "open_leave_accounts", { ...none, leaveAccountIds: [LEAVE] }, T1);
    c = recordStepDone(c, "notify", none, T1);
    expect([c.state, c.currentStep, c.nextAttemptTime, c.version]).toEqual(["completed", null, null, 5]);
    expect(c.steps.map((s) => [s.employeeId, s.accountId, s.leaveAccountIds])).toEqual([
      [EMPLOYEE, "", []],
      ["", ACCOUNT, []],
      ["", "", [LEAVE]],
      ["", "", []],
    ]);
  });

  it("wants one leave account id per entitlement", () => {
    const c = recordStepDone(
      recordStepDone(opened(), "hire_employee", { ...none, employeeId: EMPLOYEE }, T1),
      "create_login",
      { ...none, accountId: ACCOUNT },
      T1,
    );
    expect(reasonOf(() => recordStepDone(c, "open_leave_accounts", none, T1))).toBe("INVALID_ARGUMENT");
  });

  it("counts transient failures and waits; stops on a permanent one", () => {
    const waiting = recordStepFailed(
      opened(),
      { step: "hire_employee", reason: "UNAVAILABLE", message: "people is down", permanent: false, retryTime: LATER },
      T1,
    );
    expect([waiting.state, waiting.attempts, waiting.nextAttemptTime]).toEqual(["in_progress", 1, LATER]);
    const stopped = recordStepFailed(
      waiting,
      { step: "hire_employee", reason: "WORK_EMAIL_TAKEN", message: "taken", permanent: true, retryTime: null },
      T1,
    );
    expect([stopped.state, stopped.attempts, stopped.nextAttemptTime]).toEqual(["stopped", 2, null]);
    expect(stopped.lastError).toMatchObject({ step: "hire_employee", reason: "WORK_EMAIL_TAKEN", permanent: true });
  });

  it("resumes a stopped case as a new revision; its entitlements are fixed once their accounts are open", () => {
    const failure = { reason: "LEAVE_ACCOUNT_EXISTS", message: "exists", permanent: true, retryTime: null };
    let c = recordStepDone(opened(), "hire_employee", { ...none, employeeId: EMPLOYEE }, T1);
    c = recordStepDone(c, "create_login", { ...none, accountId: ACCOUNT }, T1);
    c = recordStepFailed(c, { ...failure, step: "open_leave_accounts" }, T1);
    const resumed = resumeCase(c, { ...hire, leaveEntitlements: [] }, LATER);
    expect([resumed.state, resumed.revision, resumed.attempts, resumed.currentStep]).toEqual([
      "in_progress",
      1,
      0,
      "open_leave_accounts",
    ]);
    c = recordStepDone(resumed, "open_leave_accounts", none, LATER);
    c = recordStepFailed(c, { ...failure, reason: "X", step: "notify" }, LATER);
    const changed = { ...hire, leaveEntitlements: [{ leaveType: "sick", entitlementHalfDays: 4 }] };
    expect(reasonOf(() => resumeCase(c, changed, LATER))).toBe("INVALID_ARGUMENT");
    expect(reasonOf(() => resumeCase(opened(), hire, LATER))).toBe("CASE_STATE_CONFLICT");
  });

  it("cancels only unfinished cases, and never stops while undoing", () => {
    const cancelling = cancelCase(opened(), "declined", T1);
    expect([cancelling.state, cancelling.nextAttemptTime]).toEqual(["cancelling", T1]);
    const failure = { step: null, reason: "UNAVAILABLE", message: "down", permanent: true, retryTime: LATER };
    const retried = recordStepFailed(cancelling, failure, T1);
    expect([retried.state, retried.nextAttemptTime]).toEqual(["cancelling", LATER]);
    expect(reasonOf(() => recordStepDone(cancelling, "hire_employee", { ...none, employeeId: EMPLOYEE }, T1))).toBe(
      "CASE_STATE_CONFLICT",
    );
    const cancelled = completeCancellation(retried, LATER);
    expect([cancelled.state, cancelled.currentStep, cancelled.nextAttemptTime]).toEqual(["cancelled", null, null]);
    expect(reasonOf(() => cancelCase(cancelled, "", LATER))).toBe("CASE_STATE_CONFLICT");
  });

  it("refuses a step that is not the current one", () => {
    expect(reasonOf(() => recordStepDone(opened(), "notify", none, T1))).toBe("NOT_THE_CURRENT_STEP");
  });
});
