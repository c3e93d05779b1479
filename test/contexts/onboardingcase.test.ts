import { randomUUID } from "node:crypto";
import { Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../generated/proto/hr/identity/v1/account_service.js";
import {
  CaseState,
  type NewHire,
  type OnboardingCase,
  Step,
} from "../../generated/proto/hr/onboardingcase/v1/onboarding_case_service.js";
import { LeaveType } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { as, type Caller, newTenant } from "../support/callers.js";
import { type CasesUnderTest, startCases } from "../support/cases-under-test.js";
import { expectError } from "../support/grpc-errors.js";

// The onboardingcase context (hr.onboardingcase.v1.OnboardingCaseService)
// through its generated client against a real cases server and database.
// Tenancy, request ids, etags and paging: test/conventions/onboardingcase.test.ts.
// Run alone: npm test -- test/contexts/onboardingcase.test.ts

let cases: CasesUnderTest;
let workflow: Caller;
beforeAll(async () => {
  cases = await startCases();
  workflow = await as(newTenant(), ["workflow_service"]);
});
afterAll(() => cases?.stop());

function newHire(overrides: Partial<NewHire> = {}): NewHire {
  const email = `grace.${randomUUID().slice(0, 8)}@example.com`;
  return {
    givenName: "Grace",
    familyName: "Hopper",
    workEmail: email,
    jobTitle: "Engineer",
    departmentId: randomUUID(),
    managerId: "",
    startDate: "2027-01-04",
    loginName: email,
    roles: [Role.ROLE_EMPLOYEE],
    leaveEntitlements: [{ leaveType: LeaveType.LEAVE_TYPE_ANNUAL, entitlementHalfDays: 50 }],
    ...overrides,
  };
}

async function opened(caller = workflow, applicationId = ""): Promise<OnboardingCase> {
  const request = { requestId: randomUUID(), newHire: newHire(), applicationId };
  const { onboardingCase } = await cases.cases.openCase(request, caller);
  if (!onboardingCase) throw new Error("no case in the response");
  return onboardingCase;
}

function done(c: OnboardingCase, step: Step, produced: { employeeId?: string; accountId?: string; ids?: string[] }) {
  const request = {
    requestId: randomUUID(),
    id: c.id,
    etag: c.etag,
    step,
    employeeId: produced.employeeId ?? "",
    accountId: produced.accountId ?? "",
    leaveAccountIds: produced.ids ?? [],
  };
  return cases.cases.recordStepDone(request, workflow).then((r) => r.onboardingCase as OnboardingCase);
}

function failed(c: OnboardingCase, permanent: boolean, step = c.currentStep, caller = workflow) {
  const request = {
    requestId: randomUUID(),
    id: c.id,
    etag: c.etag,
    step,
    reason: "WORK_EMAIL_TAKEN",
    message: "the work email is taken",
    permanent,
    retryTime: new Date(Date.now() + 60_000),
  };
  return cases.cases.recordStepFailed(request, caller).then((r) => r.onboardingCase as OnboardingCase);
}

describe("OpenCase", () => {
  it("opens a case in progress at the hire, due now, with every step pending", async () => {
    const c = await opened();
    expect(c.state).toBe(CaseState.CASE_STATE_IN_PROGRESS);
    expect(c.currentStep).toBe(Step.STEP_HIRE_EMPLOYEE);
    expect(c.steps.map((s) => [s.step, s.done])).toEqual([
      [Step.STEP_HIRE_EMPLOYEE, false],
      [Step.STEP_CREATE_LOGIN, false],
      [Step.STEP_OPEN_LEAVE_ACCOUNTS, false],
      [Step.STEP_NOTIFY, false],
    ]);
    expect(c.nextAttemptTime?.getTime()).toBeLessThanOrEqual(Date.now());
    expect(c.newHire?.roles).toEqual([Role.ROLE_EMPLOYEE]);
  });

  it("refuses bad details with every field named, and writes nothing", async () => {
    const bad = newHire({ givenName: " ", workEmail: "nope", roles: [Role.ROLE_HR_ADMIN], departmentId: "x" });
    const request = { requestId: randomUUID(), newHire: bad, applicationId: "" };
    const error = await expectError(cases.cases.openCase(request, workflow), Status.INVALID_ARGUMENT);
    expect(error.fields).toEqual([
      "new_hire.given_name",
      "new_hire.work_email",
      "new_hire.department_id",
      "new_hire.roles[0]",
    ]);
  });

  it("opens at most one case per application", async () => {
    const applicationId = randomUUID();
    await opened(workflow, applicationId);
    const second = cases.cases.openCase({ requestId: randomUUID(), newHire: newHire(), applicationId }, workflow);
    const error = await expectError(second, Status.ALREADY_EXISTS);
    expect(error.reason).toBe("CASE_EXISTS_FOR_APPLICATION");
  });

  it("is refused to HR: only the process manager opens cases", async () => {
    const hr = await as(newTenant(), ["hr_admin"]);
    const request = { requestId: randomUUID(), newHire: newHire(), applicationId: "" };
    expect((await expectError(cases.cases.openCase(request, hr), Status.PERMISSION_DENIED)).reason).toBe(
      "ROLE_REQUIRED",
    );
  });
});

describe("the steps", () => {
  it("records each step with what it produced and completes after NOTIFY", async () => {
    let c = await opened();
    const [employeeId, accountId, leaveId] = [randomUUID(), randomUUID(), randomUUID()];
    c = await done(c, Step.STEP_HIRE_EMPLOYEE, { employeeId });
    expect(c.currentStep).toBe(Step.STEP_CREATE_LOGIN);
    c = await done(c, Step.STEP_CREATE_LOGIN, { accountId });
    c = await done(c, Step.STEP_OPEN_LEAVE_ACCOUNTS, { ids: [leaveId] });
    c = await done(c, Step.STEP_NOTIFY, {});
    expect(c.state).toBe(CaseState.CASE_STATE_COMPLETED);
    expect(c.currentStep).toBe(Step.STEP_UNSPECIFIED);
    expect(c.nextAttemptTime).toBeUndefined();
    expect(c.steps.map((s) => s.done)).toEqual([true, true, true, true]);
    expect([c.steps[0]?.employeeId, c.steps[1]?.accountId, c.steps[2]?.leaveAccountIds]).toEqual([
      employeeId,
      accountId,
      [leaveId],
    ]);
  });

  it("refuses a step that is not the current one, and a step without what it produces", async () => {
    const c = await opened();
    const wrong = await expectError(
      done(c, Step.STEP_CREATE_LOGIN, { accountId: randomUUID() }),
      Status.FAILED_PRECONDITION,
    );
    expect(wrong.reason).toBe("NOT_THE_CURRENT_STEP");
    const missing = await expectError(done(c, Step.STEP_HIRE_EMPLOYEE, {}), Status.INVALID_ARGUMENT);
    expect(missing.fields).toEqual(["employee_id"]);
  });

  it("a transient failure keeps the case in progress, due at the retry time, and counts the attempt", async () => {
    const c = await failed(await opened(), false);
    expect(c.state).toBe(CaseState.CASE_STATE_IN_PROGRESS);
    expect(c.attempts).toBe(1);
    expect(c.lastError).toMatchObject({ reason: "WORK_EMAIL_TAKEN", permanent: false, step: Step.STEP_HIRE_EMPLOYEE });
    expect(c.nextAttemptTime?.getTime()).toBeGreaterThan(Date.now());
  });

  it("a permanent failure stops the case; ResumeCase goes on from that step as a new revision", async () => {
    const stopped = await failed(await opened(), true);
    expect(stopped.state).toBe(CaseState.CASE_STATE_STOPPED);
    expect(stopped.nextAttemptTime).toBeUndefined();
    const again = await expectError(failed(stopped, true), Status.FAILED_PRECONDITION);
    expect(again.reason).toBe("CASE_STATE_CONFLICT");
    const corrected = newHire({ workEmail: "grace.new@example.com" });
    const request = { requestId: randomUUID(), id: stopped.id, etag: stopped.etag, newHire: corrected };
    const resumed = (await cases.cases.resumeCase(request, workflow)).onboardingCase as OnboardingCase;
    expect(resumed.state).toBe(CaseState.CASE_STATE_IN_PROGRESS);
    expect(resumed.currentStep).toBe(Step.STEP_HIRE_EMPLOYEE);
    expect(resumed.revision).toBe(1);
    expect(resumed.attempts).toBe(0);
    expect(resumed.newHire?.workEmail).toBe("grace.new@example.com");
  });

  it("of two writers with the same etag, one records the step and the other is ABORTED", async () => {
    const c = await opened();
    const outcomes = await Promise.allSettled([
      done(c, Step.STEP_HIRE_EMPLOYEE, { employeeId: randomUUID() }),
      done(c, Step.STEP_HIRE_EMPLOYEE, { employeeId: randomUUID() }),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const loser = outcomes.find((o) => o.status === "rejected");
    expect(await expectError(Promise.reject(loser?.reason), Status.ABORTED)).toMatchObject({ reason: "ETAG_MISMATCH" });
  });
});

describe("cancelling", () => {
  it("CancelCase makes the case CANCELLING and due; CompleteCancellation ends it CANCELLED", async () => {
    const c = await done(await opened(), Step.STEP_HIRE_EMPLOYEE, { employeeId: randomUUID() });
    const cancel = { requestId: randomUUID(), id: c.id, etag: c.etag, reason: "the candidate declined" };
    const cancelling = (await cases.cases.cancelCase(cancel, workflow)).onboardingCase as OnboardingCase;
    expect(cancelling.state).toBe(CaseState.CASE_STATE_CANCELLING);
    expect(cancelling.cancelReason).toBe("the candidate declined");
    // Undoing never stops: a permanent failure of the compensation is retried too.
    const retried = await failed(cancelling, true, Step.STEP_UNSPECIFIED);
    expect(retried.state).toBe(CaseState.CASE_STATE_CANCELLING);
    const complete = { requestId: randomUUID(), id: c.id, etag: retried.etag };
    const cancelled = (await cases.cases.completeCancellation(complete, workflow)).onboardingCase as OnboardingCase;
    expect(cancelled.state).toBe(CaseState.CASE_STATE_CANCELLED);
    const late = { requestId: randomUUID(), id: c.id, etag: cancelled.etag, reason: "" };
    expect((await expectError(cases.cases.cancelCase(late, workflow), Status.FAILED_PRECONDITION)).reason).toBe(
      "CASE_STATE_CONFLICT",
    );
  });
});

describe("finding work", () => {
  it("lists the due cases of a tenant, and the tenants with due cases", async () => {
    const tenant = newTenant();
    const caller = await as(tenant, ["workflow_service"]);
    const due = await opened(caller);
    const later = await failed(await opened(caller), false, Step.STEP_HIRE_EMPLOYEE, caller);
    const stopped = await failed(await opened(caller), true, Step.STEP_HIRE_EMPLOYEE, caller);
    const request = {
      pageSize: 0,
      pageToken: "",
      states: [CaseState.CASE_STATE_IN_PROGRESS, CaseState.CASE_STATE_CANCELLING],
      dueBefore: new Date(),
    };
    const { onboardingCases } = await cases.cases.listCases(request, caller);
    expect(onboardingCases.map((c) => c.id)).toEqual([due.id]);
    const all = await cases.cases.listCases({ pageSize: 0, pageToken: "", states: [] }, caller);
    expect(all.onboardingCases.map((c) => c.id)).toEqual([due.id, later.id, stopped.id]);
    const { tenantIds } = await cases.cases.listTenantsWithDueCases({ dueBefore: new Date(), limit: 200 }, caller);
    expect(tenantIds).toContain(tenant);
    // HR reads cases, but not across tenants.
    const hr = await as(tenant, ["hr_admin"]);
    expect((await cases.cases.getCase({ id: due.id }, hr)).onboardingCase?.id).toBe(due.id);
    const across = cases.cases.listTenantsWithDueCases({ dueBefore: new Date(), limit: 0 }, hr);
    await expectError(across, Status.PERMISSION_DENIED);
  });
});
