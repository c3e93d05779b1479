import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Account } from "../../generated/proto/hr/identity/v1/account_service.js";
import { NotificationKind } from "../../generated/proto/hr/notification/v1/notification_service.js";
import type { LeaveAccount } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { authorizationRules } from "../../runtime/auth/authorization-rules.js";
import * as accounts from "../contexts/identity.fixtures.js";
import { ACTIVE, identity, OTHER_PASSWORD, startIdentityPerFile } from "../contexts/identity.fixtures.js";
import * as leave from "../contexts/timeoff.fixtures.js";
import { decide, open, PENDING, requestLeave, startTimeoffPerFile, timeoff } from "../contexts/timeoff.fixtures.js";
import { as, type Caller, newTenant } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { type InboxUnderTest, startInbox } from "../support/inbox-under-test.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";
import { type SelfServiceUnderTest, startSelfService } from "../support/self-service-under-test.js";

// Rules limited to one's own resources (allow_own) and rules forbidding them
// (deny_own), over real calls: for each such method, the refusal with its
// reason, the state left unchanged, and the call that is allowed. A method
// whose rule names either must have its case here (checked below from the
// descriptors), because the handler, not the middleware, decides ownership.

startIdentityPerFile();
startTimeoffPerFile();

const denied = async (call: Promise<unknown>, reason: string) =>
  expect((await expectError(call, Status.PERMISSION_DENIED)).reason).toBe(reason);

const rid = () => randomUUID();

/** One tenant: Ada and Bob, each with an account and an annual leave account; Ada's tokens in several roles. */
const t = {} as {
  admin: Caller;
  ada: Account;
  bob: Account;
  adaLeave: LeaveAccount;
  bobLeave: LeaveAccount;
  /** Ada as a plain employee, as an HR admin, as a manager. */
  adaEmployee: Caller;
  adaHr: Caller;
  adaManager: Caller;
};

beforeAll(async () => {
  const tenant = newTenant();
  t.admin = await as(tenant);
  t.ada = await accounts.create(t.admin);
  t.bob = await accounts.create(t.admin);
  t.adaLeave = await open(t.admin, { employeeId: t.ada.employeeId });
  t.bobLeave = await open(t.admin, { employeeId: t.bob.employeeId });
  const ada = { userId: t.ada.id, employeeId: t.ada.employeeId };
  t.adaEmployee = await as(tenant, ["employee"], ada);
  t.adaHr = await as(tenant, ["hr_admin", "employee"], ada);
  t.adaManager = await as(tenant, ["manager", "employee"], ada);
});

/** People and the self-service app (over this file's timeoff), for the rules on employee records and in the app. */
let people: PeopleUnderTest;
let app: SelfServiceUnderTest;
beforeAll(async () => {
  people = await startPeople();
  app = await startSelfService(people.address, timeoff.current.address);
});
afterAll(async () => {
  await app?.stop();
  await people?.stop();
});

/** Inbox, for the rules on notifications. */
let inbox: InboxUnderTest;
beforeAll(async () => {
  inbox = await startInbox();
});
afterAll(() => inbox?.stop());

/** A notification a process manager sends to `employeeId` of Ada's tenant. */
async function notify(employeeId: string) {
  const workflow = await as(t.admin.tenantId, ["workflow_service"]);
  const kind = NotificationKind.NOTIFICATION_KIND_WELCOME;
  const request = { requestId: rid(), recipientEmployeeId: employeeId, kind, title: "Welcome", body: "", subject: "" };
  const { notification } = await inbox.notifications.sendNotification(request, workflow);
  if (notification === undefined) throw new Error("no notification sent");
  return notification;
}

/** A decision of the self-service app on one leave request of an account. */
const onRequest = (a: LeaveAccount, leaveRequestId: string) => ({
  requestId: rid(),
  leaveAccountId: a.id,
  leaveRequestId,
});

const CASES: Record<string, () => Promise<void>> = {
  "/hr.employee.v1.EmployeeService/UpdateEmployee": async () => {
    const hire = async (givenName: string) => {
      const { department } = await people.departments.createDepartment(
        {
          requestId: rid(),
          name: givenName,
          code: givenName.toUpperCase(),
          parentDepartmentId: "",
          headEmployeeId: "",
        },
        t.admin,
      );
      const fields = { givenName, familyName: "Tester", workEmail: `${givenName}@example.com`, jobTitle: "" };
      const request = { requestId: rid(), ...fields, departmentId: department?.id ?? "", managerId: "" };
      return (await people.employees.hireEmployee({ ...request, hireDate: "2024-01-15" }, t.admin)).employee;
    };
    const [ada, bob] = [await hire("ada"), await hire("bob")];
    if (ada === undefined || bob === undefined) throw new Error("hiring failed");
    const adaSelf = await as(t.admin.tenantId, ["employee"], { employeeId: ada.id });
    const update = (employee: typeof ada, updateMask: string[]) =>
      people.employees.updateEmployee({ requestId: rid(), employee, updateMask }, adaSelf);
    await denied(update({ ...bob, givenName: "Mallory" }, ["given_name"]), "NOT_OWN_RESOURCE");
    await denied(
      update({ ...ada, workEmail: "ceo@example.com" }, ["given_name", "work_email"]),
      "OWN_FIELD_NOT_EDITABLE",
    );
    await denied(update({ ...ada, jobTitle: "CEO" }, ["job_title"]), "OWN_FIELD_NOT_EDITABLE");
    expect((await people.employees.getEmployee({ id: ada.id }, t.admin)).employee).toEqual(ada);
    expect((await update({ ...ada, givenName: "Adele" }, ["given_name"])).employee?.givenName).toBe("Adele");
  },
  "/hr.selfservice.v1.SelfService/ListMyLeaveMovements": async () => {
    // As a manager, whom timeoff lets read every account: the app keeps them to their own.
    const list = (leaveAccountId: string) =>
      app.selfService.listMyLeaveMovements({ leaveAccountId, pageSize: 10, pageToken: "" }, t.adaManager);
    await denied(list(t.bobLeave.id), "NOT_OWN_RESOURCE");
    expect((await list(t.adaLeave.id)).movements).not.toEqual([]);
  },
  "/hr.selfservice.v1.SelfService/RequestMyLeave": async () => {
    const ask = (a: LeaveAccount, day: string) =>
      app.selfService.requestMyLeave(
        { requestId: rid(), leaveAccountId: a.id, startDate: day, endDate: day, halfDay: false, note: "" },
        t.adaManager,
      );
    const before = await leave.read(t.admin, t.bobLeave.id);
    await denied(ask(t.bobLeave, "2099-07-06"), "NOT_OWN_RESOURCE");
    expect(await leave.read(t.admin, t.bobLeave.id)).toEqual(before);
    expect((await ask(t.adaLeave, "2099-07-06")).leaveRequest?.status).toBe(PENDING);
  },
  "/hr.selfservice.v1.SelfService/CancelMyLeave": async () => {
    const bobs = await requestLeave(t.admin, t.bobLeave, "2099-07-07");
    await denied(
      app.selfService.cancelMyLeave(onRequest(t.bobLeave, bobs.request.id), t.adaManager),
      "NOT_OWN_RESOURCE",
    );
    const own = await requestLeave(t.adaManager, t.adaLeave, "2099-07-07");
    await app.selfService.cancelMyLeave(onRequest(t.adaLeave, own.request.id), t.adaManager);
  },
  "/hr.selfservice.v1.SelfService/ApproveTeamLeave": async () => {
    const own = await requestLeave(t.adaManager, t.adaLeave, "2099-07-08");
    const approveOwn = app.selfService.approveTeamLeave(onRequest(t.adaLeave, own.request.id), t.adaManager);
    await denied(approveOwn, "OWN_RESOURCE_FORBIDDEN");
    const bobs = await requestLeave(t.admin, t.bobLeave, "2099-07-08");
    await app.selfService.approveTeamLeave(onRequest(t.bobLeave, bobs.request.id), t.adaHr);
  },
  "/hr.selfservice.v1.SelfService/RejectTeamLeave": async () => {
    const own = await requestLeave(t.adaHr, t.adaLeave, "2099-07-09");
    await denied(
      app.selfService.rejectTeamLeave(onRequest(t.adaLeave, own.request.id), t.adaHr),
      "OWN_RESOURCE_FORBIDDEN",
    );
    const bobs = await requestLeave(t.admin, t.bobLeave, "2099-07-09");
    await app.selfService.rejectTeamLeave(onRequest(t.bobLeave, bobs.request.id), t.adaHr);
  },
  "/hr.identity.v1.AccountService/GetAccount": async () => {
    expect((await accounts.read(t.adaEmployee, t.ada.id)).id).toBe(t.ada.id);
    await denied(identity.accounts.getAccount({ id: t.bob.id }, t.adaEmployee), "NOT_OWN_RESOURCE");
  },
  "/hr.identity.v1.AccountService/ChangePassword": async () => {
    // Six wrong guesses at Bob's password by Ada: none reaches the password check, so Bob is not locked.
    for (let i = 0; i < 6; i++) {
      const guess = { requestId: rid(), id: t.bob.id, etag: t.bob.etag, currentPassword: `guess ${i}` };
      const change = identity.accounts.changePassword({ ...guess, newPassword: OTHER_PASSWORD }, t.adaEmployee);
      await denied(change, "NOT_OWN_RESOURCE");
    }
    expect(await accounts.read(t.admin, t.bob.id)).toMatchObject({ status: ACTIVE, failedVerificationCount: 0 });
  },
  "/hr.identity.v1.AccountService/AssignRoles": async () => {
    const ada = await accounts.read(t.admin, t.ada.id);
    const promote = { requestId: rid(), id: ada.id, etag: ada.etag, roles: [accounts.EMPLOYEE, accounts.HR_ADMIN] };
    await denied(identity.accounts.assignRoles(promote, t.adaHr), "OWN_RESOURCE_FORBIDDEN");
    expect(await accounts.read(t.admin, ada.id)).toEqual(ada);
  },
  "/hr.identity.v1.AccountService/DisableAccount": async () => {
    const ada = await accounts.read(t.admin, t.ada.id);
    await denied(accounts.disable(t.adaHr, ada), "OWN_RESOURCE_FORBIDDEN");
    expect(await accounts.read(t.admin, ada.id)).toEqual(ada);
  },
  "/hr.identity.v1.AccountService/EnableAccount": async () => {
    // A locked or disabled administrator whose token is still valid cannot let itself back in.
    const disabled = await accounts.disable(t.admin, await accounts.read(t.admin, t.ada.id));
    await denied(accounts.enable(t.adaHr, disabled), "OWN_RESOURCE_FORBIDDEN");
    expect(await accounts.read(t.admin, disabled.id)).toEqual(disabled);
    await accounts.enable(t.admin, disabled);
  },
  "/hr.notification.v1.NotificationService/GetNotification": async () => {
    // As an HR admin, whose roles reach every other method of the tenant: a notification is its recipient's alone.
    const [adas, bobs] = [await notify(t.ada.employeeId), await notify(t.bob.employeeId)];
    await denied(inbox.notifications.getNotification({ id: bobs.id }, t.adaHr), "NOT_OWN_RESOURCE");
    expect((await inbox.notifications.getNotification({ id: adas.id }, t.adaHr)).notification).toEqual(adas);
  },
  "/hr.notification.v1.NotificationService/MarkNotificationRead": async () => {
    const [adas, bobs] = [await notify(t.ada.employeeId), await notify(t.bob.employeeId)];
    const mark = (id: string) =>
      inbox.notifications.markNotificationRead({ requestId: rid(), id, etag: "", read: true }, t.adaHr);
    await denied(mark(bobs.id), "NOT_OWN_RESOURCE");
    const bob = await as(t.admin.tenantId, ["employee"], { userId: t.bob.id, employeeId: t.bob.employeeId });
    expect((await inbox.notifications.getNotification({ id: bobs.id }, bob)).notification).toEqual(bobs);
    expect((await mark(adas.id)).notification?.readTime).toBeInstanceOf(Date);
  },
  "/hr.timeoff.v1.LeaveAccountService/GetLeaveAccount": async () => {
    expect((await leave.read(t.adaEmployee, t.adaLeave.id)).id).toBe(t.adaLeave.id);
    await denied(timeoff.leaveAccounts.getLeaveAccount({ id: t.bobLeave.id }, t.adaEmployee), "NOT_OWN_RESOURCE");
  },
  "/hr.timeoff.v1.LeaveAccountService/ListLeaveAccounts": async () => {
    const list = (employeeId: string) =>
      timeoff.leaveAccounts.listLeaveAccounts({ pageSize: 10, pageToken: "", employeeId, year: 0 }, t.adaEmployee);
    expect((await list(t.ada.employeeId)).leaveAccounts.map((a) => a.id)).toEqual([t.adaLeave.id]);
    await denied(list(t.bob.employeeId), "NOT_OWN_RESOURCE");
    await denied(list(""), "NOT_OWN_RESOURCE");
  },
  "/hr.timeoff.v1.LeaveAccountService/ListLeaveMovements": async () => {
    const list = (leaveAccountId: string) =>
      timeoff.leaveAccounts.listLeaveMovements({ leaveAccountId, pageSize: 10, pageToken: "" }, t.adaEmployee);
    expect((await list(t.adaLeave.id)).movements).not.toEqual([]);
    await denied(list(t.bobLeave.id), "NOT_OWN_RESOURCE");
  },
  "/hr.timeoff.v1.LeaveAccountService/OpenLeaveAccount": async () => {
    const own = leave.openRequest({ employeeId: t.ada.employeeId, leaveType: leave.SICK });
    await denied(timeoff.leaveAccounts.openLeaveAccount(own, t.adaHr), "OWN_RESOURCE_FORBIDDEN");
    await open(t.adaHr, { employeeId: t.bob.employeeId, leaveType: leave.SICK });
  },
  "/hr.timeoff.v1.LeaveAccountService/AccrueLeave": async () => {
    const accrue = (a: { id: string; etag: string }) =>
      timeoff.leaveAccounts.accrueLeave({ requestId: rid(), ...a, amountHalfDays: 732, reason: "bonus" }, t.adaHr);
    const before = await leave.read(t.admin, t.adaLeave.id);
    await denied(accrue(before), "OWN_RESOURCE_FORBIDDEN");
    expect(await leave.read(t.admin, t.adaLeave.id)).toEqual(before);
    await accrue(await leave.read(t.admin, t.bobLeave.id));
  },
  "/hr.timeoff.v1.LeaveAccountService/RequestLeave": async () => {
    const bobs = leave.leaveRequest(t.bobLeave, "2099-03-02");
    await denied(timeoff.leaveAccounts.requestLeave(bobs, t.adaEmployee), "NOT_OWN_RESOURCE");
    // Not even as a replay of a request Bob's HR made: the replay is checked like the call.
    await timeoff.leaveAccounts.requestLeave(bobs, t.admin);
    await denied(timeoff.leaveAccounts.requestLeave(bobs, t.adaEmployee), "NOT_OWN_RESOURCE");
    await requestLeave(t.adaEmployee, t.adaLeave, "2099-03-03");
  },
  "/hr.timeoff.v1.LeaveAccountService/ApproveLeave": async () => {
    const { request } = await requestLeave(t.adaManager, t.adaLeave, "2099-04-06");
    await denied(decide(t.adaManager, "approveLeave", t.adaLeave, request), "OWN_RESOURCE_FORBIDDEN");
    const after = await leave.read(t.admin, t.adaLeave.id);
    expect(after.leaveRequests.find((r) => r.id === request.id)?.status).toBe(PENDING);
    const bobs = await requestLeave(t.admin, t.bobLeave, "2099-04-07");
    await decide(t.adaManager, "approveLeave", t.bobLeave, bobs.request);
  },
  "/hr.timeoff.v1.LeaveAccountService/RejectLeave": async () => {
    const { request } = await requestLeave(t.adaManager, t.adaLeave, "2099-05-04");
    await denied(decide(t.adaHr, "rejectLeave", t.adaLeave, request), "OWN_RESOURCE_FORBIDDEN");
    const bobs = await requestLeave(t.admin, t.bobLeave, "2099-05-05");
    await decide(t.adaHr, "rejectLeave", t.bobLeave, bobs.request);
  },
  "/hr.timeoff.v1.LeaveAccountService/CancelLeave": async () => {
    const bobs = await requestLeave(t.admin, t.bobLeave, "2099-06-01");
    await denied(decide(t.adaEmployee, "cancelLeave", t.bobLeave, bobs.request), "NOT_OWN_RESOURCE");
    const own = await requestLeave(t.adaEmployee, t.adaLeave, "2099-06-02");
    await decide(t.adaEmployee, "cancelLeave", t.adaLeave, own.request);
  },
  "/hr.timeoff.v1.LeaveAccountService/SettleLeaveAccount": async () => {
    // Accounts of their own, so that closing them leaves the other cases' accounts open.
    const adas = await open(t.admin, { employeeId: t.ada.employeeId, year: 2098 });
    const bobs = await open(t.admin, { employeeId: t.bob.employeeId, year: 2098 });
    const settle = (a: { id: string; etag: string }) =>
      timeoff.leaveAccounts.settleLeaveAccount({ requestId: rid(), ...a, lastDay: "2098-06-30" }, t.adaHr);
    await denied(settle(adas), "OWN_RESOURCE_FORBIDDEN");
    expect(await leave.read(t.admin, adas.id)).toEqual(adas);
    await settle(bobs);
  },
};

describe("own resources", () => {
  it("has a case for every method whose rule depends on the resource's owner", () => {
    const rules = authorizationRules(readFileSync(new URL("../../generated/descriptor.binpb", import.meta.url)));
    const ownerDependent = [...rules.methods].filter(([, rule]) => rule && (rule.allowOwn.size > 0 || rule.denyOwn));
    expect(Object.keys(CASES).sort()).toEqual(ownerDependent.map(([path]) => path).sort());
  });

  it.each(Object.entries(CASES))("%s", (_, run) => run());
});
