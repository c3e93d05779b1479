import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountStatus } from "../../generated/proto/hr/identity/v1/account_service.js";
import { NotificationKind } from "../../generated/proto/hr/notification/v1/notification_service.js";
import {
  CaseState,
  type OnboardingCase,
  Step,
} from "../../generated/proto/hr/onboardingcase/v1/onboarding_case_service.js";
import { as, type Caller, newTenant } from "../support/callers.js";
import { acceptCandidate } from "../support/candidates.js";
import { type EventsUnderTest, eventually, startEventsUnderTest } from "../support/events-under-test.js";
import {
  type OnboardingDataServices,
  type OnboardingUnderTest,
  startOnboarding,
  startOnboardingDataServices,
} from "../support/onboarding-under-test.js";
import { hire } from "../support/people-with-logins.js";

// The onboarding app's reactions to other contexts' events, with the data
// services' relays publishing their outboxes to a real bus (the events
// database, or JetStream when NATS_URL is set): an accepted application
// starts an onboarding by itself; a login created and a termination reach
// the person and their login.
// Run alone: npm test -- test/apps/onboarding.events.test.ts

let data: OnboardingDataServices;
let events: EventsUnderTest;
let app: OnboardingUnderTest;
beforeAll(async () => {
  [data, events] = await Promise.all([startOnboardingDataServices(), startEventsUnderTest()]);
  await Promise.all([
    events.relay("talent", data.talent),
    events.relay("identity", data.identity),
    events.relay("people", data.people),
    events.relay("timeoff", data.timeoff),
  ]);
  app = await startOnboarding(data, { env: events.env });
}, 60_000);
afterAll(async () => {
  await app?.stop();
  await events?.stop();
  await Promise.all(Object.values(data ?? {}).map((service) => service.stop()));
});

async function onboardingsOf(hr: Caller): Promise<OnboardingCase[]> {
  return (await app.onboarding.listOnboardings({ pageSize: 0, pageToken: "", state: 0 }, hr)).onboardings;
}

describe(`reactions (${process.env.NATS_URL ? "NATS JetStream" : "events database"})`, () => {
  it("an accepted application starts an onboarding by itself, which completes; its login created is announced", async () => {
    const tenantId = newTenant();
    const hr = await as(tenantId, ["hr_admin", "recruiter", "employee"]);
    const managerId = await hire(data.people, hr, "Margaret");
    const { employee: manager } = await data.people.employees.getEmployee({ id: managerId }, hr);
    const email = `grace.${randomUUID().slice(0, 8)}@example.com`;
    const candidate = { departmentId: manager?.departmentId ?? "", email, name: "Grace Brewster Hopper" };
    const { applicationId, jobOpening } = await acceptCandidate(data.talent, hr, candidate);

    let onboarding: OnboardingCase | undefined;
    await eventually(
      "the onboarding of the accepted candidate completes",
      async () => {
        onboarding = (await onboardingsOf(hr))[0];
        return onboarding?.state === CaseState.CASE_STATE_COMPLETED;
      },
      20_000,
    );
    expect(onboarding?.applicationId).toBe(applicationId);
    expect(onboarding?.newHire).toMatchObject({
      givenName: "Grace Brewster",
      familyName: "Hopper",
      workEmail: email,
      jobTitle: jobOpening?.title,
      departmentId: jobOpening?.departmentId,
    });
    const employeeId = onboarding?.steps.find((s) => s.step === Step.STEP_HIRE_EMPLOYEE)?.employeeId ?? "";
    const person = await as(tenantId, ["employee"], { employeeId });
    const kinds = async () =>
      (
        await data.inbox.notifications.listNotifications(
          { pageSize: 200, pageToken: "", unreadOnly: false, orderBy: "" },
          person,
        )
      ).notifications
        .map((n) => n.kind)
        .sort();
    await eventually("the person is told of their login", async () => (await kinds()).length === 2, 20_000);
    expect(await kinds()).toEqual([
      NotificationKind.NOTIFICATION_KIND_WELCOME,
      NotificationKind.NOTIFICATION_KIND_LOGIN_CREATED,
    ]);
    expect(await onboardingsOf(hr)).toHaveLength(1);
  }, 60_000);

  it("a termination disables the onboarded person's login", async () => {
    const tenantId = newTenant();
    const hr = await as(tenantId, ["hr_admin", "recruiter", "employee"]);
    const managerId = await hire(data.people, hr, "Margaret");
    const { employee: manager } = await data.people.employees.getEmployee({ id: managerId }, hr);
    const email = `grace.${randomUUID().slice(0, 8)}@example.com`;
    await acceptCandidate(data.talent, hr, { departmentId: manager?.departmentId ?? "", email });
    let employeeId = "";
    await eventually(
      "the onboarding completes",
      async () => {
        const onboarding = (await onboardingsOf(hr))[0];
        employeeId = onboarding?.steps.find((s) => s.step === Step.STEP_HIRE_EMPLOYEE)?.employeeId ?? "";
        return onboarding?.state === CaseState.CASE_STATE_COMPLETED;
      },
      20_000,
    );
    const { employee } = await data.people.employees.getEmployee({ id: employeeId }, hr);
    await data.people.employees.terminateEmployee(
      { requestId: randomUUID(), id: employeeId, etag: employee?.etag ?? "", effectiveDate: employee?.hireDate ?? "" },
      hr,
    );
    const loginStatus = async () =>
      (await data.identity.accounts.listAccounts({ pageSize: 1, pageToken: "", status: 0, role: 0, employeeId }, hr))
        .accounts[0]?.status;
    await eventually(
      "the login is disabled",
      async () => (await loginStatus()) === AccountStatus.ACCOUNT_STATUS_DISABLED,
      20_000,
    );
  }, 60_000);
});
