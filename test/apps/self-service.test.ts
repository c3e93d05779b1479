import { randomUUID } from "node:crypto";
import { Status } from "nice-grpc";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Employee } from "../../generated/proto/hr/employee/v1/employee_service.js";
import {
  type LeaveAccount,
  LeaveMovementKind,
  LeaveRequestStatus,
  LeaveType,
} from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { as, type Caller, newTenant, testConfig } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";
import { type SelfServiceUnderTest, startSelfService } from "../support/self-service-under-test.js";
import { startTimeoff, type TimeoffUnderTest } from "../support/timeoff-under-test.js";

// The self-service app against real people and timeoff servers: each person
// acts with their own token, and every refusal of another's data is shown.
// Run alone: npm test -- test/apps/self-service.test.ts
//
// The organization of one tenant:
//   Grace (manager) ← Linus (manager) ← Ada
//   Grace           ← Bob
//   Mallory (manager, another branch) ← Eve
//   Hana (HR administrator)

let people: PeopleUnderTest;
let timeoff: TimeoffUnderTest;
let app: SelfServiceUnderTest;
/** Every call the data services answered (their one log line per call): method path and the caller's login. */
const upstreamCalls: { method: string; userId: string }[] = [];
const callLog = pino({ level: "info" }, { write: (line: string) => upstreamCalls.push(JSON.parse(line)) });
const callsOf = (userId: string) => upstreamCalls.filter((call) => call.userId === userId).map((call) => call.method);

beforeAll(async () => {
  [people, timeoff] = await Promise.all([startPeople(testConfig, callLog), startTimeoff(testConfig, callLog)]);
  app = await startSelfService(people.address, timeoff.address);
});
afterAll(async () => {
  await app?.stop();
  await Promise.all([people?.stop(), timeoff?.stop()]);
});

const { LEAVE_REQUEST_STATUS_PENDING: PENDING, LEAVE_REQUEST_STATUS_APPROVED: APPROVED } = LeaveRequestStatus;
const { LEAVE_REQUEST_STATUS_REJECTED: REJECTED, LEAVE_REQUEST_STATUS_CANCELLED: CANCELLED } = LeaveRequestStatus;

type Person = { employee: Employee; account: LeaveAccount; token: Caller };
const org = {} as Record<"grace" | "linus" | "ada" | "bob" | "mallory" | "eve" | "hana", Person> & { admin: Caller };

beforeAll(async () => {
  const tenant = newTenant();
  // Sets up the organization; holds no employee, so no rule about one's own records applies to it.
  org.admin = await as(tenant);
  const { department } = await people.departments.createDepartment(
    { requestId: randomUUID(), name: "Company", code: "CO", parentDepartmentId: "", headEmployeeId: "" },
    org.admin,
  );
  const join = async (givenName: string, roles: string[], manager?: Person): Promise<Person> => {
    const { employee } = await people.employees.hireEmployee(
      {
        requestId: randomUUID(),
        givenName,
        familyName: "Tester",
        workEmail: `${givenName.toLowerCase()}@example.com`,
        jobTitle: "",
        departmentId: department?.id ?? "",
        managerId: manager?.employee.id ?? "",
        hireDate: "2024-01-15",
      },
      org.admin,
    );
    const id = employee?.id ?? "";
    const { leaveAccount } = await timeoff.leaveAccounts.openLeaveAccount(
      {
        requestId: randomUUID(),
        employeeId: id,
        leaveType: LeaveType.LEAVE_TYPE_ANNUAL,
        year: 2099,
        entitlementHalfDays: 40,
      },
      org.admin,
    );
    const token = await as(tenant, roles, { userId: `login-of-${givenName}`, employeeId: id });
    return { employee: employee as Employee, account: leaveAccount as LeaveAccount, token };
  };
  org.grace = await join("Grace", ["manager", "employee"]);
  org.linus = await join("Linus", ["manager", "employee"], org.grace);
  org.ada = await join("Ada", ["employee"], org.linus);
  org.bob = await join("Bob", ["employee"], org.grace);
  org.mallory = await join("Mallory", ["manager", "employee"]);
  org.eve = await join("Eve", ["employee"], org.mallory);
  org.hana = await join("Hana", ["hr_admin", "employee"]);
});

const rid = () => randomUUID();

/** `who` asks for leave on one day of 2099 through self-service; answers the pending request. */
async function askLeave(who: Person, day: string) {
  const { leaveRequest } = await app.selfService.requestMyLeave(
    { requestId: rid(), leaveAccountId: who.account.id, startDate: day, endDate: day, halfDay: false, note: "" },
    who.token,
  );
  expect(leaveRequest?.status).toBe(PENDING);
  return leaveRequest?.id ?? "";
}

/** The status of one request, read by the administrator straight from timeoff. */
async function statusOf(who: Person, leaveRequestId: string) {
  const { leaveAccount } = await timeoff.leaveAccounts.getLeaveAccount({ id: who.account.id }, org.admin);
  return leaveAccount?.leaveRequests.find((r) => r.id === leaveRequestId)?.status;
}

const decision = (who: Person, leaveRequestId: string) => ({
  requestId: rid(),
  leaveAccountId: who.account.id,
  leaveRequestId,
});

const denied = async (call: Promise<unknown>, reason: string) =>
  expect((await expectError(call, Status.PERMISSION_DENIED)).reason).toBe(reason);

describe("an employee's own records", () => {
  it("shows the caller's own profile and leave accounts", async () => {
    const { employee } = await app.selfService.getMyProfile({}, org.ada.token);
    expect(employee).toMatchObject({ id: org.ada.employee.id, givenName: "Ada" });
    const { leaveAccounts } = await app.selfService.listMyLeaveAccounts(
      { pageSize: 0, pageToken: "", year: 0 },
      org.ada.token,
    );
    expect(leaveAccounts.map((a) => a.id)).toEqual([org.ada.account.id]);
  });

  it("requests and cancels the caller's own leave, with its movements", async () => {
    const id = await askLeave(org.ada, "2099-03-02");
    const { leaveRequest } = await app.selfService.cancelMyLeave(decision(org.ada, id), org.ada.token);
    expect(leaveRequest?.status).toBe(CANCELLED);
    const { movements } = await app.selfService.listMyLeaveMovements(
      { leaveAccountId: org.ada.account.id, pageSize: 0, pageToken: "" },
      org.ada.token,
    );
    const mine = movements.filter((m) => m.leaveRequestId === id).map((m) => m.kind);
    expect(mine).toEqual([
      LeaveMovementKind.LEAVE_MOVEMENT_KIND_RESERVED,
      LeaveMovementKind.LEAVE_MOVEMENT_KIND_RELEASED,
    ]);
  });

  it("changes the caller's own name, and nothing else", async () => {
    const { employee } = await app.selfService.getMyProfile({}, org.bob.token);
    const rename = { requestId: rid(), etag: employee?.etag ?? "", givenName: "Robert", familyName: "Tester" };
    const changed = await app.selfService.updateMyProfile({ ...rename, updateMask: ["given_name"] }, org.bob.token);
    expect(changed.employee).toMatchObject({
      id: org.bob.employee.id,
      givenName: "Robert",
      workEmail: "bob@example.com",
    });
    const refused = app.selfService.updateMyProfile(
      { ...rename, requestId: rid(), updateMask: ["work_email"] },
      org.bob.token,
    );
    expect((await expectError(refused, Status.INVALID_ARGUMENT)).fields).toEqual(["update_mask"]);
  });

  it("never shows or touches another employee's leave, whatever the caller's role", async () => {
    const bobs = await askLeave(org.bob, "2099-03-03");
    // A plain employee (timeoff refuses too) and a manager (timeoff would let a manager through: the app refuses).
    for (const who of [org.ada, org.grace]) {
      await denied(app.selfService.cancelMyLeave(decision(org.bob, bobs), who.token), "NOT_OWN_RESOURCE");
      const ask = {
        requestId: rid(),
        leaveAccountId: org.bob.account.id,
        startDate: "2099-03-04",
        endDate: "2099-03-04",
      };
      await denied(app.selfService.requestMyLeave({ ...ask, halfDay: false, note: "" }, who.token), "NOT_OWN_RESOURCE");
      const history = { leaveAccountId: org.bob.account.id, pageSize: 0, pageToken: "" };
      await denied(app.selfService.listMyLeaveMovements(history, who.token), "NOT_OWN_RESOURCE");
    }
    expect(await statusOf(org.bob, bobs)).toBe(PENDING);
    const { leaveAccount } = await timeoff.leaveAccounts.getLeaveAccount({ id: org.bob.account.id }, org.admin);
    expect(leaveAccount?.leaveRequests.map((r) => r.id)).toEqual([bobs]);
  });

  it("refuses a login linked to no employee with FAILED_PRECONDITION", async () => {
    const unlinked = await as(org.admin.tenantId, ["manager", "employee"], { userId: "login-without-employee" });
    // Each call starts only when the previous one has been checked: a call
    // started early could reject before anything awaits it.
    for (const call of [
      () => app.selfService.getMyProfile({}, unlinked),
      () => app.selfService.listMyLeaveAccounts({ pageSize: 0, pageToken: "", year: 0 }, unlinked),
      () => app.selfService.listTeamLeaveRequests({}, unlinked),
    ]) {
      expect((await expectError(call(), Status.FAILED_PRECONDITION)).reason).toBe("EMPLOYEE_LINK_REQUIRED");
    }
    await denied(app.selfService.approveTeamLeave(decision(org.ada, randomUUID()), unlinked), "DECIDER_NOT_LINKED");
  });
});

describe("a manager's team", () => {
  it("lists the pending requests of direct and indirect reports, and nobody else's", async () => {
    const ada = await askLeave(org.ada, "2099-03-05");
    const linus = await askLeave(org.linus, "2099-03-05");
    const bob = await askLeave(org.bob, "2099-03-05");
    const eve = await askLeave(org.eve, "2099-03-05");
    const grace = await askLeave(org.grace, "2099-03-05");
    const pendingFor = async (who: Person) =>
      (await app.selfService.listTeamLeaveRequests({}, who.token)).leaveRequests.map((r) => r.leaveRequest?.id);

    const gracesTeam = await app.selfService.listTeamLeaveRequests({}, org.grace.token);
    expect(gracesTeam.leaveRequests.find((r) => r.leaveRequest?.id === ada)).toMatchObject({
      employeeId: org.ada.employee.id,
      displayName: "Ada Tester",
      leaveAccountId: org.ada.account.id,
    });
    const visible = gracesTeam.leaveRequests.map((r) => r.leaveRequest?.id);
    expect(visible).toEqual(expect.arrayContaining([linus, bob, ada]));
    expect(visible).not.toContain(eve);
    expect(visible).not.toContain(grace);
    expect(await pendingFor(org.linus)).toEqual([ada]);
    expect(await pendingFor(org.mallory)).toEqual([eve]);
    await denied(app.selfService.listTeamLeaveRequests({}, org.ada.token), "ROLE_REQUIRED");
  });

  it("approves and rejects the requests of reports, direct or not", async () => {
    const ada = await askLeave(org.ada, "2099-03-10");
    const bob = await askLeave(org.bob, "2099-03-10");
    expect((await app.selfService.approveTeamLeave(decision(org.ada, ada), org.grace.token)).leaveRequest?.status).toBe(
      APPROVED,
    );
    expect((await app.selfService.rejectTeamLeave(decision(org.bob, bob), org.grace.token)).leaveRequest?.status).toBe(
      REJECTED,
    );
  });

  it("refuses a decision on someone outside the caller's reporting tree, and on the caller's own request", async () => {
    const bob = await askLeave(org.bob, "2099-03-11");
    const eve = await askLeave(org.eve, "2099-03-11");
    const linus = await askLeave(org.linus, "2099-03-11");
    const grace = await askLeave(org.grace, "2099-03-11");
    // Bob reports to Grace beside Linus, not to him; Eve is in another branch.
    await denied(app.selfService.approveTeamLeave(decision(org.bob, bob), org.linus.token), "NOT_IN_REPORTING_LINE");
    await denied(app.selfService.rejectTeamLeave(decision(org.eve, eve), org.grace.token), "NOT_IN_REPORTING_LINE");
    // The line goes down only: Linus does not decide for his own manager, nor for himself.
    await denied(
      app.selfService.approveTeamLeave(decision(org.grace, grace), org.linus.token),
      "NOT_IN_REPORTING_LINE",
    );
    await denied(
      app.selfService.approveTeamLeave(decision(org.linus, linus), org.linus.token),
      "OWN_RESOURCE_FORBIDDEN",
    );
    for (const [who, id] of [
      [org.bob, bob],
      [org.eve, eve],
      [org.linus, linus],
      [org.grace, grace],
    ] as const) {
      expect(await statusOf(who, id)).toBe(PENDING);
    }
  });

  it("lets an HR administrator decide anyone's request but their own", async () => {
    const eve = await askLeave(org.eve, "2099-03-12");
    const hana = await askLeave(org.hana, "2099-03-12");
    expect((await app.selfService.approveTeamLeave(decision(org.eve, eve), org.hana.token)).leaveRequest?.status).toBe(
      APPROVED,
    );
    await denied(app.selfService.approveTeamLeave(decision(org.hana, hana), org.hana.token), "OWN_RESOURCE_FORBIDDEN");
    expect(await statusOf(org.hana, hana)).toBe(PENDING);
  });

  it("refuses every decision to an HR administrator's second login linked to no employee", async () => {
    // Hana's own login is refused her own leave; a second HR login without
    // an employee must not be the way around that rule.
    const hana = await askLeave(org.hana, "2099-03-13");
    const eve = await askLeave(org.eve, "2099-03-13");
    const second = await as(org.admin.tenantId, ["hr_admin"], { userId: "second-login-of-Hana" });
    await denied(app.selfService.approveTeamLeave(decision(org.hana, hana), second), "DECIDER_NOT_LINKED");
    await denied(app.selfService.rejectTeamLeave(decision(org.eve, eve), second), "DECIDER_NOT_LINKED");
    expect(await statusOf(org.hana, hana)).toBe(PENDING);
    expect(await statusOf(org.eve, eve)).toBe(PENDING);
    // Her linked login still decides a report's leave.
    const decided = await app.selfService.rejectTeamLeave(decision(org.eve, eve), org.hana.token);
    expect(decided.leaveRequest?.status).toBe(REJECTED);
  });
});

describe("the cost of a large team", () => {
  /** Hires `count` people under `managerId` into `departmentId`, 20 at a time; answers them in hiring order. */
  async function hireMany(admin: Caller, departmentId: string, managerId: string, count: number, name: string) {
    const hired: Employee[] = [];
    for (let i = 0; i < count; i += 20) {
      const batch = Array.from({ length: Math.min(20, count - i) }, (_, j) =>
        people.employees.hireEmployee(
          {
            requestId: rid(),
            ...{ givenName: `${name}${i + j}`, familyName: "Tester", jobTitle: "", hireDate: "2024-01-15" },
            ...{ workEmail: `${name}${i + j}.${rid().slice(0, 8)}@example.com`, departmentId, managerId },
          },
          admin,
        ),
      );
      hired.push(...(await Promise.all(batch)).map(({ employee }) => employee as Employee));
    }
    return hired;
  }

  /** A tenant with one department and its head, a manager signed in with a login of their own. */
  async function newCompany() {
    const tenant = newTenant();
    const admin = await as(tenant);
    const { department } = await people.departments.createDepartment(
      { requestId: rid(), name: "Company", code: "CO", parentDepartmentId: "", headEmployeeId: "" },
      admin,
    );
    const [head] = await hireMany(admin, department?.id ?? "", "", 1, "Head");
    const login = `login-${rid()}`;
    const token = await as(tenant, ["manager", "employee"], { userId: login, employeeId: head?.id });
    return { tenant, admin, departmentId: department?.id ?? "", head: head as Employee, token, login };
  }

  it("lists the pending leave of 300 reports in a handful of upstream calls, not two per person", async () => {
    const { tenant, admin, departmentId, head, token, login } = await newCompany();
    // 200 direct reports, and 100 more under the first of them.
    const direct = await hireMany(admin, departmentId, head.id, 200, "Direct");
    const indirect = await hireMany(admin, departmentId, direct[0]?.id ?? "", 100, "Indirect");
    const pending: string[] = [];
    for (const person of [direct[5], indirect[99]] as Employee[]) {
      const opened = { requestId: rid(), employeeId: person.id, leaveType: LeaveType.LEAVE_TYPE_ANNUAL, year: 2099 };
      const { leaveAccount } = await timeoff.leaveAccounts.openLeaveAccount(
        { ...opened, entitlementHalfDays: 40 },
        admin,
      );
      const self = await as(tenant, ["employee"], { userId: `login-of-${person.id}`, employeeId: person.id });
      const ask = { requestId: rid(), leaveAccountId: leaveAccount?.id ?? "", halfDay: false, note: "" };
      const { leaveRequest } = await app.selfService.requestMyLeave(
        { ...ask, startDate: "2099-05-04", endDate: "2099-05-04" },
        self,
      );
      pending.push(leaveRequest?.id ?? "");
    }

    expect(callsOf(login)).toEqual([]);
    const { leaveRequests } = await app.selfService.listTeamLeaveRequests({}, token);
    expect(leaveRequests.map((r) => [r.displayName, r.leaveRequest?.id])).toEqual([
      ["Direct5 Tester", pending[0]],
      ["Indirect99 Tester", pending[1]],
    ]);
    // One ListEmployees per level (three levels) and one ListLeaveAccounts per
    // 200 people: 5 calls, measured. One call per person and level made it 601.
    const calls = callsOf(login);
    expect(calls.length).toBeLessThanOrEqual(8);
    expect(new Set(calls)).toEqual(
      new Set([
        "/hr.employee.v1.EmployeeService/ListEmployees",
        "/hr.timeoff.v1.LeaveAccountService/ListLeaveAccounts",
      ]),
    );
  });

  it("refuses a reporting tree deeper than 50 levels instead of answering part of it", async () => {
    const { admin, departmentId, head, token } = await newCompany();
    let manager = head.id;
    for (let level = 0; level < 51; level++) {
      const [report] = await hireMany(admin, departmentId, manager, 1, `Level${level}`);
      manager = report?.id ?? "";
    }
    const refused = await expectError(app.selfService.listTeamLeaveRequests({}, token), Status.FAILED_PRECONDITION);
    expect(refused.reason).toBe("TEAM_TOO_LARGE");
  });
});
