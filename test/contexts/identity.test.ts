import { randomUUID } from "node:crypto";
import { Status } from "nice-grpc";
import { describe, expect, it } from "vitest";
import {
  type AccountStatus,
  type CreateAccountRequest,
  Role,
} from "../../generated/proto/hr/identity/v1/account_service.js";
import { as, newTenant } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import {
  ACTIVE,
  create,
  createRequest,
  DISABLED,
  disable,
  EMPLOYEE,
  enable,
  HR_ADMIN,
  identity,
  LOCKED,
  listIds,
  lockedByTheOldRule,
  MANAGER,
  PASSWORD,
  read,
  refused,
  rowOf,
  rowsOf,
  startIdentityPerFile,
  TENANT_ADMIN,
  UNKNOWN,
  verify,
} from "./identity.fixtures.js";

// The identity context (hr.identity.v1.AccountService) through its generated
// client against a real identity server and database: accounts, their roles and status.
// Credentials and passwords: test/contexts/identity.credentials.test.ts; tenancy, request
// ids, etags and paging: test/conventions/identity.test.ts.
// Run alone: npx vitest run test/contexts/identity

startIdentityPerFile();

describe("creating and reading accounts", () => {
  it("creates an active account with a normalized login name and a role set, and reads it back", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const employeeId = randomUUID();
    const created = await create(acme, {
      loginName: "  Ada.Lovelace@Example.COM ",
      employeeId: employeeId.toUpperCase(),
      displayName: "  Ada Lovelace ",
      roles: [MANAGER, EMPLOYEE, MANAGER],
    });
    expect(created).toMatchObject({
      loginName: "ada.lovelace@example.com",
      employeeId,
      displayName: "Ada Lovelace",
      roles: [EMPLOYEE, MANAGER],
      status: ACTIVE,
      failedVerificationCount: 0,
    });
    expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(created.etag).not.toBe("");
    expect(created.updateTime).toEqual(created.createTime);
    expect(created.passwordChangeTime).toEqual(created.createTime);
    expect(await read(acme, created.id)).toEqual(created);
    expect(await read(acme, created.id.toUpperCase())).toEqual(created);
    expect(await rowsOf(tenant)).toBe(1);
  });

  it("creates an account that belongs to no employee", async () => {
    const acme = await as(newTenant());
    const created = await create(acme, { employeeId: "", roles: [TENANT_ADMIN] });
    expect(created).toMatchObject({ employeeId: "", roles: [TENANT_ADMIN] });
  });

  it("refuses a login name taken in the tenant, but not in another tenant", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    await create(acme, { loginName: "ada@example.com" });
    const error = await expectError(
      identity.accounts.createAccount(createRequest({ loginName: " ADA@example.com " }), acme),
      Status.ALREADY_EXISTS,
    );
    expect(error.reason).toBe("LOGIN_NAME_TAKEN");
    expect(error.fields).toEqual(["login_name"]);
    expect(await rowsOf(tenant)).toBe(1);
    const elsewhere = await create(await as(newTenant()), { loginName: "ada@example.com" });
    expect(elsewhere.loginName).toBe("ada@example.com");
  });

  it("refuses a second login linked to an employee who has one, and still replays the first creation", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const employeeId = randomUUID();
    const first = createRequest({ employeeId });
    const { account } = await identity.accounts.createAccount(first, acme);
    const error = await expectError(
      identity.accounts.createAccount(createRequest({ employeeId: employeeId.toUpperCase() }), acme),
      Status.ALREADY_EXISTS,
    );
    expect(error).toMatchObject({ reason: "EMPLOYEE_ALREADY_HAS_LOGIN", fields: ["employee_id"] });
    expect(await rowsOf(tenant)).toBe(1);
    // A retry of the first request is its first answer, not a refusal.
    expect((await identity.accounts.createAccount(first, acme)).account).toEqual(account);
    // The same employee id in another tenant, and any number of logins linked to no employee, are fine.
    await create(await as(newTenant()), { employeeId });
    await create(acme, { employeeId: "" });
    await create(acme, { employeeId: "" });
    expect(await rowsOf(tenant)).toBe(3);
  });

  it("lets exactly one of concurrent creations link the same employee", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const employeeId = randomUUID();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 4 }, () => identity.accounts.createAccount(createRequest({ employeeId }), acme)),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    for (const outcome of outcomes.filter((o) => o.status === "rejected")) {
      await expectError(Promise.reject(outcome.reason), Status.ALREADY_EXISTS);
    }
    expect(await rowsOf(tenant)).toBe(1);
  });
});

describe("validation", () => {
  it("names every bad field of a new account at once and writes nothing", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const error = await expectError(
      identity.accounts.createAccount(
        createRequest({
          loginName: "ada.example.com",
          employeeId: "ada",
          displayName: " ",
          roles: [],
          initialPassword: "short",
        }),
        acme,
      ),
      Status.INVALID_ARGUMENT,
    );
    expect(error.fields.sort()).toEqual(["display_name", "employee_id", "initial_password", "login_name", "roles"]);
    expect(await rowsOf(tenant)).toBe(0);
  });

  it("enforces the password policy on creation", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const loginName = "grace.hopper@example.com";
    const refusedPasswords = [
      "",
      "x".repeat(11),
      "x".repeat(129),
      "😀".repeat(129),
      "a".repeat(12),
      "🔒".repeat(20),
      "Grace.Hopper@Example.com",
    ];
    for (const initialPassword of refusedPasswords) {
      const error = await expectError(
        identity.accounts.createAccount(createRequest({ loginName, initialPassword }), acme),
        Status.INVALID_ARGUMENT,
      );
      expect(error.fields, initialPassword.slice(0, 20)).toEqual(["initial_password"]);
    }
    expect(await rowsOf(tenant)).toBe(0);
    for (const initialPassword of [`${"x".repeat(11)}y`, `${"😀".repeat(127)}!`, "aaaaaaaaaaab"]) {
      await create(acme, { initialPassword });
    }
    expect(await rowsOf(tenant)).toBe(3);
  });

  it("refuses an empty role set, unknown roles, and UNSPECIFIED, and collapses duplicates", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const cases: [Role[], string[]][] = [
      [[], ["roles"]],
      [[EMPLOYEE, UNKNOWN], ["roles[1]"]],
      [[Role.ROLE_UNSPECIFIED], ["roles[0]"]],
      [
        [UNKNOWN, MANAGER, -1 as Role],
        ["roles[0]", "roles[2]"],
      ],
      [Array.from({ length: 33 }, () => EMPLOYEE), ["roles"]],
    ];
    for (const [roles, fields] of cases) {
      const error = await expectError(
        identity.accounts.createAccount(createRequest({ roles }), acme),
        Status.INVALID_ARGUMENT,
      );
      expect(error.fields, JSON.stringify(roles)).toEqual(fields);
    }
    expect(await rowsOf(tenant)).toBe(0);
    const created = await create(acme, { roles: [TENANT_ADMIN, EMPLOYEE, TENANT_ADMIN, EMPLOYEE, HR_ADMIN] });
    expect(created.roles).toEqual([EMPLOYEE, HR_ADMIN, TENANT_ADMIN]);
  });

  it("refuses huge strings and control characters, writes nothing, and keeps serving", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const huge = "x".repeat(10_000);
    const cases: [Partial<CreateAccountRequest>, string][] = [
      [{ loginName: huge }, "login_name"],
      [{ loginName: `${huge}@example.com` }, "login_name"],
      [{ employeeId: huge }, "employee_id"],
      [{ displayName: huge }, "display_name"],
      [{ initialPassword: `${huge}y` }, "initial_password"],
      [{ displayName: "Ada\u0000" }, "display_name"],
      [{ loginName: "ada\u0007@example.com" }, "login_name"],
    ];
    for (const [overrides, field] of cases) {
      const error = await expectError(
        identity.accounts.createAccount(createRequest(overrides), acme),
        Status.INVALID_ARGUMENT,
      );
      expect(error.fields, JSON.stringify(overrides).slice(0, 80)).toEqual([field]);
    }
    const typed: [string, string, string[]][] = [
      ["", "", ["login_name", "password"]],
      [huge, PASSWORD, ["login_name"]],
      ["ada@example.com", huge, ["password"]],
    ];
    for (const [loginName, password, fields] of typed) {
      const error = await expectError(verify(acme, loginName, password), Status.INVALID_ARGUMENT);
      expect(error.fields).toEqual(fields);
    }
    expect(await rowsOf(tenant)).toBe(0);
    expect((await create(acme)).status).toBe(ACTIVE);
  });

  it("refuses malformed ids and unknown filter values, and keeps serving", async () => {
    const acme = await as(newTenant());
    const listError = await expectError(
      identity.accounts.listAccounts({ pageSize: 10, status: 99 as AccountStatus, role: UNKNOWN }, acme),
      Status.INVALID_ARGUMENT,
    );
    expect(listError.fields).toEqual(["status", "role"]);
    const getError = await expectError(identity.accounts.getAccount({ id: "ada" }, acme), Status.INVALID_ARGUMENT);
    expect(getError.fields).toEqual(["id"]);
    const created = await create(acme);
    expect(await listIds(acme, { status: ACTIVE })).toEqual([created.id]);
  });
});

describe("roles and status", () => {
  it("replaces the role set, collapsing duplicates", async () => {
    const acme = await as(newTenant());
    const ada = await create(acme, { roles: [EMPLOYEE] });
    const request = { requestId: randomUUID(), id: ada.id, etag: ada.etag, roles: [HR_ADMIN, MANAGER, HR_ADMIN] };
    const { account } = await identity.accounts.assignRoles(request, acme);
    expect(account?.roles).toEqual([MANAGER, HR_ADMIN]);
    expect(account?.etag).not.toBe(ada.etag);
    expect(await read(acme, ada.id)).toEqual(account);
    expect((await rowOf(ada.id)).roles).toEqual(["manager", "hr_admin"]);
  });

  it("refuses an invalid role set and changes nothing", async () => {
    const acme = await as(newTenant());
    const ada = await create(acme);
    const cases: [Role[], string[]][] = [
      [[], ["roles"]],
      [[UNKNOWN], ["roles[0]"]],
      [[MANAGER, Role.ROLE_UNSPECIFIED], ["roles[1]"]],
    ];
    for (const [roles, fields] of cases) {
      const error = await expectError(
        identity.accounts.assignRoles({ requestId: randomUUID(), id: ada.id, etag: ada.etag, roles }, acme),
        Status.INVALID_ARGUMENT,
      );
      expect(error.fields).toEqual(fields);
    }
    expect(await read(acme, ada.id)).toEqual(ada);
  });

  it("disables and enables an account, and refuses a repeat of either", async () => {
    const acme = await as(newTenant());
    const ada = await create(acme);
    const active = await expectError(
      identity.accounts.enableAccount({ requestId: randomUUID(), id: ada.id, etag: ada.etag }, acme),
      Status.FAILED_PRECONDITION,
    );
    expect(active.reason).toBe("ACCOUNT_ALREADY_ACTIVE");
    expect(active.preconditions).toEqual(["ACCOUNT_ALREADY_ACTIVE"]);
    expect(await read(acme, ada.id)).toEqual(ada);

    const disabled = await disable(acme, ada);
    expect(disabled.status).toBe(DISABLED);
    const again = await expectError(
      identity.accounts.disableAccount({ requestId: randomUUID(), id: ada.id, etag: disabled.etag }, acme),
      Status.FAILED_PRECONDITION,
    );
    expect(again.reason).toBe("ACCOUNT_ALREADY_DISABLED");
    expect(await read(acme, ada.id)).toEqual(disabled);
    expect((await enable(acme, disabled)).status).toBe(ACTIVE);
  });

  it("disables an account the old rule locked", async () => {
    const acme = await as(newTenant());
    const locked = await lockedByTheOldRule(acme, await create(acme));
    const disabled = await disable(acme, locked);
    expect(disabled).toMatchObject({ status: DISABLED });
    await refused(acme, locked.loginName, PASSWORD);
  });
});

describe("listing", () => {
  it("filters by status and role, combined with AND", async () => {
    const acme = await as(newTenant());
    const ada = await create(acme, { roles: [EMPLOYEE, MANAGER] });
    const grace = await disable(acme, await create(acme, { roles: [MANAGER] }));
    const alan = await create(acme, { roles: [HR_ADMIN] });
    const edsger = await lockedByTheOldRule(acme, await create(acme, { roles: [EMPLOYEE] }));

    expect(await listIds(acme)).toEqual([ada.id, grace.id, alan.id, edsger.id]);
    expect(await listIds(acme, { status: ACTIVE })).toEqual([ada.id, alan.id]);
    expect(await listIds(acme, { status: DISABLED })).toEqual([grace.id]);
    expect(await listIds(acme, { status: LOCKED })).toEqual([edsger.id]);
    expect(await listIds(acme, { role: MANAGER })).toEqual([ada.id, grace.id]);
    expect(await listIds(acme, { role: EMPLOYEE })).toEqual([ada.id, edsger.id]);
    expect(await listIds(acme, { role: MANAGER, status: ACTIVE })).toEqual([ada.id]);
    expect(await listIds(acme, { role: TENANT_ADMIN })).toEqual([]);
    expect(await listIds(acme, { role: HR_ADMIN, status: DISABLED })).toEqual([]);
  });

  it("finds the login of an employee by employee_id, combined with the other filters, for the workflow service too", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const adaEmployee = randomUUID();
    const ada = await create(acme, { employeeId: adaEmployee, roles: [EMPLOYEE, MANAGER] });
    await create(acme);
    await create(acme, { employeeId: "" });
    await create(await as(newTenant()), { employeeId: adaEmployee });

    expect(await listIds(acme, { employeeId: adaEmployee })).toEqual([ada.id]);
    expect(await listIds(acme, { employeeId: adaEmployee.toUpperCase() })).toEqual([ada.id]);
    expect(await listIds(acme, { employeeId: adaEmployee, role: MANAGER, status: ACTIVE })).toEqual([ada.id]);
    expect(await listIds(acme, { employeeId: adaEmployee, role: HR_ADMIN })).toEqual([]);
    expect(await listIds(acme, { employeeId: randomUUID() })).toEqual([]);
    const workflow = await as(tenant, ["workflow_service"]);
    expect(await listIds(workflow, { employeeId: adaEmployee })).toEqual([ada.id]);

    const malformed = identity.accounts.listAccounts({ employeeId: "not-a-uuid", role: 99 as Role }, acme);
    expect(await expectError(malformed, Status.INVALID_ARGUMENT)).toMatchObject({
      reason: "INVALID_ARGUMENT",
      fields: ["employee_id", "role"],
    });
  });

  it("lets the workflow service disable any login, ending its sessions, but nothing else an admin does", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const workflow = await as(tenant, ["workflow_service"]);
    // A login stronger than any HR admin's: offboarding still disables it.
    const boss = await create(acme, { roles: [TENANT_ADMIN, EMPLOYEE] });
    const disabled = await disable(workflow, boss);
    expect(disabled.status).toBe(DISABLED);

    const enabling = identity.accounts.enableAccount(
      { requestId: randomUUID(), id: boss.id, etag: disabled.etag },
      workflow,
    );
    expect((await expectError(enabling, Status.PERMISSION_DENIED)).reason).toBe("ROLE_REQUIRED");
    expect((await expectError(read(workflow, boss.id), Status.PERMISSION_DENIED)).reason).toBe("ROLE_REQUIRED");
    expect((await read(acme, boss.id)).status).toBe(DISABLED);
  });

  it("lets the workflow service create the login of a person it onboards, but grant no administrator's role", async () => {
    const workflow = await as(newTenant(), ["workflow_service"]);
    const employeeId = randomUUID();
    const login = await create(workflow, { employeeId, roles: [EMPLOYEE, MANAGER, Role.ROLE_RECRUITER] });
    expect([login.employeeId, login.roles]).toEqual([employeeId, [EMPLOYEE, MANAGER, Role.ROLE_RECRUITER]]);
    for (const roles of [[HR_ADMIN], [EMPLOYEE, TENANT_ADMIN]]) {
      const refusal = await expectError(create(workflow, { roles }), Status.PERMISSION_DENIED);
      expect(refusal.reason).toBe("ROLE_NOT_HELD");
    }
  });
});
