import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../generated/proto/hr/identity/v1/account_service.js";
import { NotificationKind } from "../../generated/proto/hr/notification/v1/notification_service.js";
import { OnboardingServiceDefinition } from "../../generated/proto/hr/onboarding/v1/onboarding_service.js";
import {
  CaseState,
  type NewHire,
  type OnboardingCase,
  Step,
} from "../../generated/proto/hr/onboardingcase/v1/onboarding_case_service.js";
import { LeaveType } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { openChannel } from "../../runtime/client/service-client.js";
import { as, type Caller, newTenant } from "../support/callers.js";
import { freePort } from "../support/free-port.js";
import { startOnboardingProcess } from "../support/onboarding-process.js";
import {
  type OnboardingDataServices,
  startOnboardingDataServices,
  targetsOf,
} from "../support/onboarding-under-test.js";
import { hire } from "../support/people-with-logins.js";
import { testClient } from "../support/service-under-test.js";

// The onboarding app as a real process, killed with SIGKILL in the middle of
// a case and started again: the case resumes from the cases service and
// completes with each effect exactly once (issue 18, item 4).
// Run alone: npm test -- test/apps/onboarding.process-faults.test.ts

let data: OnboardingDataServices;
beforeAll(async () => {
  data = await startOnboardingDataServices();
});
afterAll(() => Promise.all(Object.values(data ?? {}).map((service) => service.stop())));

async function team() {
  const tenantId = newTenant();
  const hr = await as(tenantId, ["hr_admin", "employee"]);
  const managerId = await hire(data.people, hr, "Margaret");
  const { employee } = await data.people.employees.getEmployee({ id: managerId }, hr);
  return { tenantId, hr, departmentId: employee?.departmentId ?? "" };
}

function newHire(departmentId: string): NewHire {
  const email = `grace.${randomUUID().slice(0, 8)}@example.com`;
  return {
    ...{ givenName: "Grace", familyName: "Hopper", workEmail: email, jobTitle: "", departmentId, managerId: "" },
    ...{ startDate: "2027-01-04", loginName: email, roles: [Role.ROLE_EMPLOYEE] },
    leaveEntitlements: [{ leaveType: LeaveType.LEAVE_TYPE_ANNUAL, entitlementHalfDays: 50 }],
  };
}

/** Reads the case straight from the cases service: the app may be dead. */
async function caseOf(hr: Caller, id: string): Promise<OnboardingCase> {
  const { onboardingCase } = await data.cases.cases.getCase({ id }, hr);
  if (!onboardingCase) throw new Error(`no case ${id}`);
  return onboardingCase;
}

async function until(hr: Caller, id: string, done: (c: OnboardingCase) => boolean): Promise<OnboardingCase> {
  for (let i = 0; i < 600; i++) {
    const c = await caseOf(hr, id);
    if (done(c)) return c;
    await sleep(50);
  }
  throw new Error(`case ${id} never got there: ${JSON.stringify(await caseOf(hr, id))}`);
}

/** Exactly one employee, one login linked to it, one set of leave accounts, one welcome. */
async function expectExactlyOnce(hr: Caller, departmentId: string, details: NewHire) {
  const { employees } = await data.people.employees.listEmployees(
    { pageSize: 200, pageToken: "", departmentId, managerId: "", status: 0, managerIds: [] },
    hr,
  );
  const hired = employees.filter((e) => e.workEmail === details.workEmail);
  expect(hired).toHaveLength(1);
  const employeeId = hired[0]?.id ?? "";
  const { accounts } = await data.identity.accounts.listAccounts(
    { pageSize: 200, pageToken: "", status: 0, role: 0, employeeId },
    hr,
  );
  expect(accounts.map((a) => a.loginName)).toEqual([details.loginName]);
  const { leaveAccounts } = await data.timeoff.leaveAccounts.listLeaveAccounts(
    { pageSize: 200, pageToken: "", employeeId, year: 0, employeeIds: [] },
    hr,
  );
  expect(leaveAccounts.map((a) => a.leaveType)).toEqual([LeaveType.LEAVE_TYPE_ANNUAL]);
  const person = await as(hr.tenantId, ["employee"], { employeeId });
  const { notifications } = await data.inbox.notifications.listNotifications(
    { pageSize: 200, pageToken: "", unreadOnly: false, orderBy: "" },
    person,
  );
  expect(notifications.map((n) => n.kind)).toEqual([NotificationKind.NOTIFICATION_KIND_WELCOME]);
}

async function startVia(address: string, hr: Caller, details: NewHire): Promise<string> {
  const channel = openChannel(address);
  try {
    const client = testClient(OnboardingServiceDefinition, channel);
    const { onboarding } = await client.startOnboarding({ requestId: randomUUID(), newHire: details }, hr);
    return onboarding?.id ?? "";
  } finally {
    channel.close();
  }
}

describe("kill -9 of the onboarding app", () => {
  it("right after the hire: a new process resumes the case, which completes with everything once", async () => {
    const { hr, departmentId } = await team();
    // Identity unreachable at first: the case is held at CREATE_LOGIN, the hire done and recorded.
    const nowhere = `127.0.0.1:${await freePort()}`;
    const first = await startOnboardingProcess({ ...targetsOf(data), identity: nowhere });
    const details = newHire(departmentId);
    let id: string;
    try {
      id = await startVia(first.address, hr, details);
      const held = await until(hr, id, (c) => c.currentStep === Step.STEP_CREATE_LOGIN && c.attempts > 0);
      expect(held.lastError?.permanent).toBe(false);
    } finally {
      await first.kill();
    }
    const second = await startOnboardingProcess(targetsOf(data));
    try {
      const done = await until(hr, id, (c) => c.state !== CaseState.CASE_STATE_IN_PROGRESS);
      expect(done.state, JSON.stringify(done.lastError)).toBe(CaseState.CASE_STATE_COMPLETED);
    } finally {
      await second.stop();
    }
    await expectExactlyOnce(hr, departmentId, details);
  }, 60_000);

  it("at whatever moment, again and again: the case still completes with everything once", async () => {
    const { hr, departmentId } = await team();
    const details = newHire(departmentId);
    let app = await startOnboardingProcess(targetsOf(data));
    const id = await startVia(app.address, hr, details);
    for (const delayMs of [0, 40, 80, 120]) {
      await sleep(delayMs);
      await app.kill();
      app = await startOnboardingProcess(targetsOf(data));
    }
    try {
      const done = await until(hr, id, (c) => c.state !== CaseState.CASE_STATE_IN_PROGRESS);
      expect(done.state, JSON.stringify(done.lastError)).toBe(CaseState.CASE_STATE_COMPLETED);
    } finally {
      await app.stop();
    }
    await expectExactlyOnce(hr, departmentId, details);
  }, 90_000);
});
