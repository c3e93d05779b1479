import { randomUUID } from "node:crypto";
import { Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../generated/proto/hr/identity/v1/account_service.js";
import { openDepartment } from "../contexts/employee.fixtures.js";
import { as, newTenant, testConfig } from "../support/callers.js";
import { capturedLogs } from "../support/captured-logs.js";
import { expectError } from "../support/grpc-errors.js";
import { type IdentityUnderTest, startIdentity } from "../support/identity-under-test.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";

// The attacks a role-less or low-role token used to get away with, each
// refused with PERMISSION_DENIED and changing nothing: no privilege
// escalation in identity (grant only roles one holds, administer only
// accounts whose roles one holds), no credential probing, no termination by
// a plain employee. An administrator's password reset is written to the log.

const { ROLE_EMPLOYEE: EMPLOYEE, ROLE_HR_ADMIN: HR_ADMIN, ROLE_TENANT_ADMIN: TENANT_ADMIN } = Role;
const PASSWORD = "correct horse battery staple";

const { logger, lines: logLines } = capturedLogs();

let identity: IdentityUnderTest;
let people: PeopleUnderTest;
beforeAll(async () => {
  [identity, people] = await Promise.all([startIdentity(testConfig, logger), startPeople()]);
});
afterAll(async () => {
  await identity?.stop();
  await people?.stop();
});

const denied = async (call: Promise<unknown>, reason: string) =>
  expect((await expectError(call, Status.PERMISSION_DENIED)).reason).toBe(reason);

const createRequest = (roles: Role[]) => ({
  requestId: randomUUID(),
  loginName: `${randomUUID()}@example.com`,
  employeeId: "",
  displayName: "Someone",
  roles,
  initialPassword: PASSWORD,
});

async function setUp() {
  const tenant = newTenant();
  const owner = await as(tenant, ["tenant_admin", "hr_admin", "employee"]);
  const create = async (roles: Role[]) =>
    (await identity.accounts.createAccount(createRequest(roles), owner)).account ?? Promise.reject(new Error("none"));
  const list = async () =>
    (await identity.accounts.listAccounts({ pageSize: 200, pageToken: "", status: 0, role: 0 }, owner)).accounts;
  return { tenant, owner, create, list };
}

describe("no privilege escalation", () => {
  it("refuses CreateAccount granting tenant_admin to anyone but a tenant admin", async () => {
    const { tenant, list } = await setUp();
    const hr = await as(tenant, ["hr_admin", "employee"]);
    const before = await list();
    await denied(identity.accounts.createAccount(createRequest([TENANT_ADMIN]), hr), "ROLE_NOT_HELD");
    await denied(identity.accounts.createAccount(createRequest([EMPLOYEE, TENANT_ADMIN]), hr), "ROLE_NOT_HELD");
    await denied(identity.accounts.createAccount(createRequest([TENANT_ADMIN]), await as(tenant, [])), "ROLE_REQUIRED");
    expect(await list()).toEqual(before);
    // Granting what one holds is allowed.
    await identity.accounts.createAccount(createRequest([EMPLOYEE, HR_ADMIN]), hr);
  });

  it("refuses self-promotion through AssignRoles, and granting or taking roles one does not hold", async () => {
    const { tenant, create, list } = await setUp();
    const self = await create([EMPLOYEE]);
    const admin = await create([TENANT_ADMIN]);
    const before = await list();
    const assign = (id: string, etag: string, roles: Role[], caller: Awaited<ReturnType<typeof as>>) =>
      identity.accounts.assignRoles({ requestId: randomUUID(), id, etag, roles }, caller);
    const asSelf = await as(tenant, ["employee"], { userId: self.id });
    await denied(assign(self.id, self.etag, [EMPLOYEE, TENANT_ADMIN], asSelf), "ROLE_REQUIRED");
    const hr = await as(tenant, ["hr_admin", "employee"]);
    await denied(assign(self.id, self.etag, [EMPLOYEE, TENANT_ADMIN], hr), "ROLE_NOT_HELD");
    await denied(assign(admin.id, admin.etag, [EMPLOYEE], hr), "ROLE_NOT_HELD");
    expect(await list()).toEqual(before);
    // A tenant admin may grant tenant_admin.
    const owner = await as(tenant, ["tenant_admin", "employee"]);
    expect((await assign(self.id, self.etag, [EMPLOYEE, TENANT_ADMIN], owner)).account?.roles).toEqual([
      EMPLOYEE,
      TENANT_ADMIN,
    ]);
  });

  it("refuses an HR admin's reset or disabling of a tenant admin's account", async () => {
    const { tenant, create, list } = await setUp();
    const admin = await create([TENANT_ADMIN]);
    const hr = await as(tenant, ["hr_admin", "employee"]);
    const before = await list();
    const reset = { requestId: randomUUID(), id: admin.id, etag: admin.etag, currentPassword: "", newPassword: "x" };
    await denied(identity.accounts.changePassword({ ...reset, newPassword: `${PASSWORD}!` }, hr), "ROLE_NOT_HELD");
    await denied(
      identity.accounts.disableAccount({ requestId: randomUUID(), id: admin.id, etag: admin.etag }, hr),
      "ROLE_NOT_HELD",
    );
    expect(await list()).toEqual(before);
  });

  it("writes an administrator's password reset to the log, with who did it", async () => {
    const { tenant, owner, create } = await setUp();
    const ada = await create([EMPLOYEE]);
    const request = { requestId: randomUUID(), id: ada.id, etag: ada.etag, currentPassword: "" };
    await identity.accounts.changePassword({ ...request, newPassword: `${PASSWORD} reset` }, owner);
    const audit = logLines.filter((line) => line.audit === "password_reset" && line.accountId === ada.id);
    expect(audit).toEqual([expect.objectContaining({ tenantId: tenant, actor: `user-of-${tenant}` })]);
  });
});

describe("other attacks", () => {
  it("refuses VerifyCredentials to a person's token: only the session service checks passwords", async () => {
    const { tenant, create } = await setUp();
    const ada = await create([EMPLOYEE]);
    for (const roles of [[], ["employee"], ["tenant_admin", "hr_admin"]]) {
      const verify = identity.accounts.verifyCredentials(
        { loginName: ada.loginName, password: "wrong" },
        await as(tenant, roles),
      );
      await denied(verify, "ROLE_REQUIRED");
    }
    const after = await identity.accounts.getAccount({ id: ada.id }, await as(tenant));
    expect(after.account?.failedVerificationCount).toBe(0);
  });

  it("refuses TerminateEmployee to a plain employee", async () => {
    const tenant = newTenant();
    const hr = await as(tenant, ["hr_admin"]);
    const hired = await people.employees.hireEmployee(
      {
        requestId: randomUUID(),
        givenName: "Grace",
        familyName: "Hopper",
        workEmail: `${randomUUID()}@example.com`,
        jobTitle: "",
        departmentId: await openDepartment(people, tenant),
        managerId: "",
        hireDate: "2024-02-01",
      },
      hr,
    );
    const employee = hired.employee ?? Promise.reject(new Error("none"));
    const { id, etag } = await employee;
    const terminate = { requestId: randomUUID(), id, etag, terminationDate: "2024-03-01" };
    await denied(
      people.employees.terminateEmployee(terminate, await as(tenant, ["employee"], { employeeId: id })),
      "ROLE_REQUIRED",
    );
    expect((await people.employees.getEmployee({ id }, hr)).employee).toEqual(await employee);
  });
});
