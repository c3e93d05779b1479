import { randomBytes, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmployeeStatus } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { AccountStatus, Role } from "../../generated/proto/hr/identity/v1/account_service.js";
import { NotificationKind } from "../../generated/proto/hr/notification/v1/notification_service.js";
import {
  CaseState,
  type NewHire,
  type OnboardingCase,
  Step,
} from "../../generated/proto/hr/onboardingcase/v1/onboarding_case_service.js";
import { LeaveType } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { as, type Caller, newTenant, tokenOf } from "../support/callers.js";
import { startGatewayUnderTest } from "../support/gateway-under-test.js";
import { expectError } from "../support/grpc-errors.js";
import {
  type OnboardingDataServices,
  type OnboardingUnderTest,
  startOnboarding,
  startOnboardingDataServices,
} from "../support/onboarding-under-test.js";
import { hire } from "../support/people-with-logins.js";

// The onboarding app (hr.onboarding.v1) against real people, identity,
// timeoff, talent, cases and inbox servers: HR starts an onboarding and the
// app's worker runs its steps in the background.
// Run alone: npm test -- test/apps/onboarding.test.ts

let data: OnboardingDataServices;
let app: OnboardingUnderTest;
beforeAll(async () => {
  data = await startOnboardingDataServices();
  app = await startOnboarding(data);
});
afterAll(async () => {
  await app?.stop();
  await Promise.all(Object.values(data ?? {}).map((service) => service.stop()));
});

/** An HR administrator of a fresh tenant, a department to hire into, and a manager in it. */
async function tenantWithTeam() {
  const tenantId = newTenant();
  const hr = await as(tenantId, ["hr_admin", "employee"]);
  const managerId = await hire(data.people, hr, "Margaret");
  const { employee: manager } = await data.people.employees.getEmployee({ id: managerId }, hr);
  return { tenantId, hr, managerId, departmentId: manager?.departmentId ?? "" };
}

function newHire(team: { departmentId: string; managerId: string }, overrides: Partial<NewHire> = {}): NewHire {
  const email = `grace.${randomUUID().slice(0, 8)}@example.com`;
  return {
    givenName: "Grace",
    familyName: "Hopper",
    workEmail: email,
    jobTitle: "Engineer",
    departmentId: team.departmentId,
    managerId: team.managerId,
    startDate: "2027-01-04",
    loginName: email,
    roles: [Role.ROLE_EMPLOYEE],
    leaveEntitlements: [
      { leaveType: LeaveType.LEAVE_TYPE_ANNUAL, entitlementHalfDays: 50 },
      { leaveType: LeaveType.LEAVE_TYPE_SICK, entitlementHalfDays: 20 },
    ],
    ...overrides,
  };
}

async function start(hr: Caller, details: NewHire, requestId: string = randomUUID()): Promise<OnboardingCase> {
  const { onboarding } = await app.onboarding.startOnboarding({ requestId, newHire: details }, hr);
  if (!onboarding) throw new Error("no onboarding in the response");
  return onboarding;
}

/** The onboarding once the worker has brought it to one of `states` (it runs in the background). */
async function settled(hr: Caller, id: string, states: CaseState[]): Promise<OnboardingCase> {
  for (let i = 0; i < 300; i++) {
    const { onboarding } = await app.onboarding.getOnboarding({ id }, hr);
    if (onboarding && states.includes(onboarding.state)) return onboarding;
    await sleep(50);
  }
  const { onboarding } = await app.onboarding.getOnboarding({ id }, hr);
  throw new Error(
    `onboarding ${id} is still ${CaseState[onboarding?.state ?? 0]}: ${JSON.stringify(onboarding?.lastError)}`,
  );
}

const stepOf = (c: OnboardingCase, step: Step) => c.steps.find((s) => s.step === step);

/** What exists in the data services for one work email / employee: the counts the issue asks for. */
async function footprint(hr: Caller, departmentId: string, workEmail: string) {
  const { employees } = await data.people.employees.listEmployees(
    { pageSize: 200, pageToken: "", departmentId, managerId: "", status: 0, managerIds: [] },
    hr,
  );
  const hired = employees.filter((e) => e.workEmail === workEmail);
  const employeeId = hired[0]?.id ?? "";
  const { accounts } = await data.identity.accounts.listAccounts(
    { pageSize: 200, pageToken: "", status: 0, role: 0, employeeId },
    hr,
  );
  const { leaveAccounts } = await data.timeoff.leaveAccounts.listLeaveAccounts(
    { pageSize: 200, pageToken: "", employeeId, year: 0, employeeIds: [] },
    hr,
  );
  const person = await as(hr.tenantId, ["employee"], { employeeId });
  const { notifications } = await data.inbox.notifications.listNotifications(
    { pageSize: 200, pageToken: "", unreadOnly: false, orderBy: "" },
    person,
  );
  return { hired, accounts, leaveAccounts, notifications };
}

describe("StartOnboarding", () => {
  it("hires, creates a linked login, opens the leave accounts and notifies, in the background, once", async () => {
    const team = await tenantWithTeam();
    const details = newHire(team);
    const started = await start(team.hr, details);
    expect(started.state).toBe(CaseState.CASE_STATE_IN_PROGRESS);
    const done = await settled(team.hr, started.id, [CaseState.CASE_STATE_COMPLETED, CaseState.CASE_STATE_STOPPED]);
    expect(done.state, JSON.stringify(done.lastError)).toBe(CaseState.CASE_STATE_COMPLETED);
    expect(done.steps.every((s) => s.done)).toBe(true);

    const { hired, accounts, leaveAccounts, notifications } = await footprint(
      team.hr,
      team.departmentId,
      details.workEmail,
    );
    expect(hired).toHaveLength(1);
    const employee = hired[0];
    expect(employee?.id).toBe(stepOf(done, Step.STEP_HIRE_EMPLOYEE)?.employeeId);
    expect(employee?.managerId).toBe(team.managerId);
    expect(accounts.map((a) => [a.id, a.employeeId, a.loginName, a.roles])).toEqual([
      [stepOf(done, Step.STEP_CREATE_LOGIN)?.accountId, employee?.id, details.loginName, [Role.ROLE_EMPLOYEE]],
    ]);
    expect(leaveAccounts.map((a) => [a.leaveType, a.year, a.balance?.entitlementHalfDays])).toEqual([
      [LeaveType.LEAVE_TYPE_ANNUAL, 2027, 50],
      [LeaveType.LEAVE_TYPE_SICK, 2027, 20],
    ]);
    expect(notifications.map((n) => n.kind)).toEqual([NotificationKind.NOTIFICATION_KIND_WELCOME]);
    const manager = await as(team.tenantId, ["manager"], { employeeId: team.managerId });
    const toManager = await data.inbox.notifications.listNotifications(
      { pageSize: 200, pageToken: "", unreadOnly: false, orderBy: "" },
      manager,
    );
    expect(toManager.notifications.map((n) => [n.kind, n.subject])).toEqual([
      [NotificationKind.NOTIFICATION_KIND_NEW_REPORT, `employees/${employee?.id}`],
    ]);
  });

  it("a repeated request id answers the first onboarding: one case, one employee", async () => {
    const team = await tenantWithTeam();
    const details = newHire(team);
    const requestId = randomUUID();
    const [first, second] = await Promise.all([start(team.hr, details, requestId), start(team.hr, details, requestId)]);
    expect(second.id).toBe(first.id);
    await settled(team.hr, first.id, [CaseState.CASE_STATE_COMPLETED]);
    const third = await start(team.hr, details, requestId);
    expect(third.id).toBe(first.id);
    const { onboardings } = await app.onboarding.listOnboardings({ pageSize: 0, pageToken: "", state: 0 }, team.hr);
    expect(onboardings.map((o) => o.id)).toEqual([first.id]);
    expect((await footprint(team.hr, team.departmentId, details.workEmail)).hired).toHaveLength(1);
  });

  it("refuses bad details with every field named, and opens nothing", async () => {
    const team = await tenantWithTeam();
    const bad = newHire(team, { workEmail: "not an email", startDate: "04/01/2027", roles: [Role.ROLE_TENANT_ADMIN] });
    const error = await expectError(start(team.hr, bad), Status.INVALID_ARGUMENT);
    expect(error.fields).toEqual(["new_hire.work_email", "new_hire.start_date", "new_hire.roles[0]"]);
    const { onboardings } = await app.onboarding.listOnboardings({ pageSize: 0, pageToken: "", state: 0 }, team.hr);
    expect(onboardings).toEqual([]);
  });

  it("refuses a request id a data service would refuse (a NUL byte, over 100 characters), as they do", async () => {
    const team = await tenantWithTeam();
    for (const requestId of ["o\u00001", "x".repeat(101), " "]) {
      const error = await expectError(start(team.hr, newHire(team), requestId), Status.INVALID_ARGUMENT);
      expect(error.fields).toEqual(["request_id"]);
    }
    const { onboardings } = await app.onboarding.listOnboardings({ pageSize: 0, pageToken: "", state: 0 }, team.hr);
    expect(onboardings).toEqual([]);
  });

  it("is HR's: an employee is refused", async () => {
    const team = await tenantWithTeam();
    const employee = await as(team.tenantId, ["employee", "manager"]);
    const refused = await expectError(start(employee, newHire(team)), Status.PERMISSION_DENIED);
    expect(refused.reason).toBe("ROLE_REQUIRED");
  });
});

describe("a step that cannot succeed", () => {
  it("a taken work email stops the case with WORK_EMAIL_TAKEN; RetryOnboarding with a new one completes it", async () => {
    const team = await tenantWithTeam();
    const { employee: taken } = await data.people.employees.getEmployee({ id: team.managerId }, team.hr);
    const details = newHire(team, { workEmail: taken?.workEmail ?? "" });
    const started = await start(team.hr, details);
    const stopped = await settled(team.hr, started.id, [CaseState.CASE_STATE_STOPPED, CaseState.CASE_STATE_COMPLETED]);
    expect(stopped.state).toBe(CaseState.CASE_STATE_STOPPED);
    expect(stopped.currentStep).toBe(Step.STEP_HIRE_EMPLOYEE);
    expect(stopped.lastError).toMatchObject({
      step: Step.STEP_HIRE_EMPLOYEE,
      reason: "WORK_EMAIL_TAKEN",
      permanent: true,
    });
    expect(stopped.lastError?.message).toMatch(/email/);

    const corrected = { ...details, workEmail: `grace.${randomUUID().slice(0, 8)}@example.com` };
    const retry = { requestId: randomUUID(), id: started.id, etag: stopped.etag, newHire: corrected };
    const { onboarding: resumed } = await app.onboarding.retryOnboarding(retry, team.hr);
    expect(resumed?.state).toBe(CaseState.CASE_STATE_IN_PROGRESS);
    const done = await settled(team.hr, started.id, [CaseState.CASE_STATE_COMPLETED, CaseState.CASE_STATE_STOPPED]);
    expect(done.state, JSON.stringify(done.lastError)).toBe(CaseState.CASE_STATE_COMPLETED);
    const { hired, accounts } = await footprint(team.hr, team.departmentId, corrected.workEmail);
    expect(hired).toHaveLength(1);
    expect(accounts).toHaveLength(1);
  });

  it("RetryOnboarding of an onboarding that has not stopped is FAILED_PRECONDITION", async () => {
    const team = await tenantWithTeam();
    const started = await start(team.hr, newHire(team));
    const done = await settled(team.hr, started.id, [CaseState.CASE_STATE_COMPLETED]);
    const retry = { requestId: randomUUID(), id: done.id, etag: done.etag, newHire: done.newHire };
    const refused = await expectError(app.onboarding.retryOnboarding(retry, team.hr), Status.FAILED_PRECONDITION);
    expect(refused.reason).toBe("ONBOARDING_STATE_CONFLICT");
    const unknown = await expectError(app.onboarding.getOnboarding({ id: randomUUID() }, team.hr), Status.NOT_FOUND);
    expect(unknown.reason).toBe("ONBOARDING_NOT_FOUND");
  });
});

describe("IssueFirstPassword", () => {
  it("sets a password on the onboarded login and answers it; a repeat answers the same one, another request a new one", async () => {
    const team = await tenantWithTeam();
    const details = newHire(team);
    const started = await start(team.hr, details);
    await settled(team.hr, started.id, [CaseState.CASE_STATE_COMPLETED]);
    const first = { requestId: randomUUID(), id: started.id };
    const issued = await app.onboarding.issueFirstPassword(first, team.hr);
    expect(issued.loginName).toBe(details.loginName);
    expect(issued.password).toMatch(/^[\w-]{43}$/);
    expect((await app.onboarding.issueFirstPassword(first, team.hr)).password).toBe(issued.password);
    const next = await app.onboarding.issueFirstPassword({ requestId: randomUUID(), id: started.id }, team.hr);
    expect(next.password).not.toBe(issued.password);
    // HR without the login's role (EMPLOYEE) takes no login over: identity's rule for an administrator's reset.
    const hrOnly = await as(team.tenantId, ["hr_admin"]);
    const refused = await expectError(
      app.onboarding.issueFirstPassword({ requestId: randomUUID(), id: started.id }, hrOnly),
      Status.PERMISSION_DENIED,
    );
    expect(refused.reason).toBe("ROLE_NOT_HELD");
  });

  it("is FAILED_PRECONDITION while the onboarding has no login, and NOT_FOUND for an unknown one", async () => {
    const team = await tenantWithTeam();
    const { employee: taken } = await data.people.employees.getEmployee({ id: team.managerId }, team.hr);
    const started = await start(team.hr, newHire(team, { workEmail: taken?.workEmail ?? "" }));
    await settled(team.hr, started.id, [CaseState.CASE_STATE_STOPPED]);
    const early = await expectError(
      app.onboarding.issueFirstPassword({ requestId: randomUUID(), id: started.id }, team.hr),
      Status.FAILED_PRECONDITION,
    );
    expect(early.reason).toBe("ONBOARDING_STATE_CONFLICT");
    const unknown = await expectError(
      app.onboarding.issueFirstPassword({ requestId: randomUUID(), id: randomUUID() }, team.hr),
      Status.NOT_FOUND,
    );
    expect(unknown.reason).toBe("ONBOARDING_NOT_FOUND");
  });
});

describe("AcceptApplication", () => {
  it("refuses an application that is not at OFFER with talent's reason, and moves nothing", async () => {
    const team = await tenantWithTeam();
    const recruiter = await as(team.tenantId, ["recruiter"]);
    const { jobOpening } = await data.talent.jobOpenings.createJobOpening(
      { requestId: randomUUID(), title: "Navigator", departmentId: team.departmentId, headcount: 1, description: "" },
      recruiter,
    );
    const { application } = await data.talent.applications.submitApplication(
      {
        requestId: randomUUID(),
        jobOpeningId: jobOpening?.id ?? "",
        candidateName: "Mary Jackson",
        candidateEmail: "mary@example.com",
      },
      recruiter,
    );
    const accept = {
      requestId: randomUUID(),
      applicationId: application?.id ?? "",
      etag: application?.etag ?? "",
      note: "",
    };
    const refused = await expectError(app.onboarding.acceptApplication(accept, recruiter), Status.FAILED_PRECONDITION);
    expect(refused.reason).toBe("ILLEGAL_STAGE_TRANSITION");
    const { application: after } = await data.talent.applications.getApplication(
      { id: accept.applicationId },
      recruiter,
    );
    expect(after?.stage).toBe(application?.stage);
    const employee = await as(team.tenantId, ["employee"]);
    await expectError(
      app.onboarding.acceptApplication({ ...accept, requestId: randomUUID() }, employee),
      Status.PERMISSION_DENIED,
    );
  });
});

describe("CancelOnboarding", () => {
  it("terminates the pending hire and leaves no working login behind", async () => {
    const team = await tenantWithTeam();
    // A login name someone already has: the case stops after the hire, at the login.
    const margaret = await data.identity.accounts.createAccount(
      {
        requestId: randomUUID(),
        loginName: `taken.${randomUUID().slice(0, 8)}@example.com`,
        employeeId: "",
        displayName: "Someone",
        roles: [Role.ROLE_EMPLOYEE],
        initialPassword: "correct horse battery staple",
      },
      team.hr,
    );
    const details = newHire(team, { loginName: margaret.account?.loginName ?? "" });
    const started = await start(team.hr, details);
    const stopped = await settled(team.hr, started.id, [CaseState.CASE_STATE_STOPPED, CaseState.CASE_STATE_COMPLETED]);
    expect(stopped.lastError).toMatchObject({ step: Step.STEP_CREATE_LOGIN, reason: "LOGIN_NAME_TAKEN" });
    const employeeId = stepOf(stopped, Step.STEP_HIRE_EMPLOYEE)?.employeeId ?? "";
    expect(employeeId).not.toBe("");

    const cancel = { requestId: randomUUID(), id: started.id, etag: stopped.etag, reason: "the candidate declined" };
    const { onboarding: cancelling } = await app.onboarding.cancelOnboarding(cancel, team.hr);
    expect(cancelling?.state).toBe(CaseState.CASE_STATE_CANCELLING);
    const cancelled = await settled(team.hr, started.id, [CaseState.CASE_STATE_CANCELLED]);
    expect(cancelled.cancelReason).toBe("the candidate declined");
    const { employee } = await data.people.employees.getEmployee({ id: employeeId }, team.hr);
    expect(employee?.status).toBe(EmployeeStatus.EMPLOYEE_STATUS_TERMINATED);
    expect(employee?.terminationDate).toBe(details.startDate);
    const { accounts } = await footprint(team.hr, team.departmentId, details.workEmail);
    expect(accounts.filter((a) => a.status === AccountStatus.ACCOUNT_STATUS_ACTIVE)).toEqual([]);

    const again = { ...cancel, requestId: randomUUID(), etag: cancelled.etag };
    const refused = await expectError(app.onboarding.cancelOnboarding(again, team.hr), Status.FAILED_PRECONDITION);
    expect(refused.reason).toBe("ONBOARDING_STATE_CONFLICT");
  });
});

describe("two replicas of the app", () => {
  it("run each case once: one employee, one login, one set of leave accounts, one welcome per onboarding", async () => {
    // Even with another first-password key (a replica started mid-rotation).
    const second = await startOnboarding(data, { loginSecret: randomBytes(32) });
    try {
      const team = await tenantWithTeam();
      const people = Array.from({ length: 6 }, () => newHire(team, { managerId: "" }));
      // Started on both replicas: each one's worker sees every due case.
      const started = await Promise.all(
        people.map((details, i) =>
          (i % 2 === 0 ? app : second).onboarding.startOnboarding(
            { requestId: randomUUID(), newHire: details },
            team.hr,
          ),
        ),
      );
      for (const [i, { onboarding }] of started.entries()) {
        const done = await settled(team.hr, onboarding?.id ?? "", [
          CaseState.CASE_STATE_COMPLETED,
          CaseState.CASE_STATE_STOPPED,
        ]);
        expect(done.state, JSON.stringify(done.lastError)).toBe(CaseState.CASE_STATE_COMPLETED);
        const { hired, accounts, leaveAccounts, notifications } = await footprint(
          team.hr,
          team.departmentId,
          people[i]?.workEmail ?? "",
        );
        expect([hired.length, accounts.length, leaveAccounts.length, notifications.length]).toEqual([1, 1, 2, 1]);
      }
    } finally {
      await second.stop();
    }
  }, 60_000);
});

describe("through the gateway", () => {
  it("HR starts an onboarding over HTTP/JSON and sees it complete", async () => {
    const gateway = await startGatewayUnderTest({ "hr.onboarding.v1": `127.0.0.1:${app.server.port}` });
    try {
      const team = await tenantWithTeam();
      const headers = { authorization: `Bearer ${await tokenOf(team.tenantId, "hr-user", ["hr_admin"])}` };
      const email = `ada.${randomUUID().slice(0, 8)}@example.com`;
      const newHire = {
        givenName: "Ada",
        familyName: "Lovelace",
        workEmail: email,
        departmentId: team.departmentId,
        startDate: "2027-02-01",
        loginName: email,
        roles: ["ROLE_EMPLOYEE"],
        leaveEntitlements: [{ leaveType: "LEAVE_TYPE_ANNUAL", entitlementHalfDays: 40 }],
      };
      const start = "/hr.onboarding.v1.OnboardingService/StartOnboarding";
      const started = await gateway.call(start, { requestId: randomUUID(), newHire }, headers);
      expect(started.status).toBe(200);
      const { onboarding } = (await started.json()) as { onboarding: { id: string; state: string } };
      expect(onboarding.state).toBe("CASE_STATE_IN_PROGRESS");
      let state = onboarding.state;
      for (let i = 0; i < 300 && state === "CASE_STATE_IN_PROGRESS"; i++) {
        await sleep(50);
        const read = await gateway.call(
          "/hr.onboarding.v1.OnboardingService/GetOnboarding",
          { id: onboarding.id },
          headers,
        );
        state = ((await read.json()) as { onboarding: { state: string } }).onboarding.state;
      }
      expect(state).toBe("CASE_STATE_COMPLETED");
      const { hired, accounts, notifications } = await footprint(team.hr, team.departmentId, email);
      expect([hired.length, accounts.length, notifications.length]).toEqual([1, 1, 1]);
      const refused = await gateway.call(start, { requestId: randomUUID(), newHire }, {});
      expect(refused.status).toBe(401);
    } finally {
      await gateway.stop();
    }
  });
});
