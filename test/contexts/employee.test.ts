import { randomUUID } from "node:crypto";
import { Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Employee,
  EmployeeStatus,
  type HireEmployeeRequest,
  type ListEmployeesRequest,
} from "../../generated/proto/hr/employee/v1/employee_service.js";
import { as, type Caller, newTenant } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";
import { placement } from "./employee.fixtures.js";

// The employee context (hr.employee.v1.EmployeeService) through its generated
// client against a real people server and database.
// Run alone: npm test -- test/contexts/employee.test.ts

let people: PeopleUnderTest;
beforeAll(async () => {
  people = await startPeople();
});
afterAll(() => people?.stop());

// Stand-ins for a department of the caller's tenant (see employee.fixtures.ts):
// the helpers below place people in the tenant's real one.
const ENGINEERING = randomUUID();
const SALES = randomUUID();
let departmentOf: ReturnType<typeof placement>;
beforeAll(() => {
  departmentOf = placement(people, [ENGINEERING, SALES]);
});

const { EMPLOYEE_STATUS_PENDING: PENDING, EMPLOYEE_STATUS_ACTIVE: ACTIVE } = EmployeeStatus;
const { EMPLOYEE_STATUS_TERMINATED: TERMINATED } = EmployeeStatus;

const hireRequest = (overrides: Partial<HireEmployeeRequest> = {}): HireEmployeeRequest => ({
  requestId: randomUUID(),
  givenName: "Ada",
  familyName: "Lovelace",
  workEmail: `ada.${randomUUID().slice(0, 8)}@example.com`,
  jobTitle: "Engineer",
  departmentId: ENGINEERING,
  managerId: "",
  hireDate: "2025-03-01",
  ...overrides,
});

function present(employee: Employee | undefined): Employee {
  if (employee === undefined) throw new Error("the response carries no employee");
  return employee;
}

async function hire(caller: Caller, overrides: Partial<HireEmployeeRequest> = {}): Promise<Employee> {
  const departmentId = await departmentOf(caller, overrides.departmentId ?? ENGINEERING);
  return present((await people.employees.hireEmployee(hireRequest({ ...overrides, departmentId }), caller)).employee);
}

async function read(caller: Caller, id: string): Promise<Employee> {
  return present((await people.employees.getEmployee({ id }, caller)).employee);
}

async function activate(caller: Caller, e: Employee): Promise<Employee> {
  const request = { requestId: randomUUID(), id: e.id, etag: e.etag };
  return present((await people.employees.activateEmployee(request, caller)).employee);
}

async function terminate(caller: Caller, e: Employee, effectiveDate = "2025-12-31"): Promise<Employee> {
  const request = { requestId: randomUUID(), id: e.id, etag: e.etag, effectiveDate };
  return present((await people.employees.terminateEmployee(request, caller)).employee);
}

async function transfer(caller: Caller, e: Employee, standIn: string, managerId = ""): Promise<Employee> {
  const departmentId = await departmentOf(caller, standIn);
  const request = { requestId: randomUUID(), id: e.id, etag: e.etag, departmentId, managerId };
  return present((await people.employees.transferEmployee(request, caller)).employee);
}

const rowsOf = (tenantId: string) => people.db.employee.count({ where: { tenantId } });

async function listIds(caller: Caller, filter: Partial<ListEmployeesRequest> = {}): Promise<string[]> {
  const departmentId = filter.departmentId && (await departmentOf(caller, filter.departmentId));
  const page = await people.employees.listEmployees({ pageSize: 200, ...filter, departmentId }, caller);
  expect(page.nextPageToken).toBe("");
  return page.employees.map((e) => e.id);
}

describe("hiring and reading employees", () => {
  it("hires a pending employee with a normalized work email and reads it back", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const engineering = await departmentOf(acme, ENGINEERING);
    const hired = await hire(acme, {
      givenName: "  Ada ",
      workEmail: "  Ada.Lovelace@Example.COM  ",
      departmentId: engineering.toUpperCase(),
    });
    expect(hired).toMatchObject({
      givenName: "Ada",
      familyName: "Lovelace",
      workEmail: "ada.lovelace@example.com",
      jobTitle: "Engineer",
      departmentId: engineering,
      managerId: "",
      hireDate: "2025-03-01",
      status: PENDING,
      terminationDate: "",
    });
    expect(hired.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(hired.etag).not.toBe("");
    expect(hired.createTime).toBeInstanceOf(Date);
    expect(hired.updateTime).toEqual(hired.createTime);

    expect(await read(acme, hired.id)).toEqual(hired);
    expect(await read(acme, hired.id.toUpperCase())).toEqual(hired);
    const row = await people.db.employee.findFirst({ where: { tenantId: tenant } });
    expect(row?.workEmail).toBe("ada.lovelace@example.com");
    expect(await rowsOf(tenant)).toBe(1);
  });

  it("reads a batch in request order and lists the missing ids in request order", async () => {
    const acme = await as(newTenant());
    const ada = await hire(acme, { givenName: "Ada" });
    const grace = await hire(acme, { givenName: "Grace" });
    const [gone, nowhere] = [randomUUID(), randomUUID()];
    const batch = await people.employees.batchGetEmployees({ ids: [gone, grace.id, nowhere, ada.id, grace.id] }, acme);
    expect(batch.employees).toEqual([grace, ada]);
    expect(batch.notFoundIds).toEqual([gone, nowhere]);
  });
});

describe("the employee lifecycle", () => {
  it("activates a pending hire and terminates the active employee on a date", async () => {
    const acme = await as(newTenant());
    const hired = await hire(acme, { hireDate: "2025-03-01" });
    const active = await activate(acme, hired);
    expect(active).toMatchObject({ id: hired.id, status: ACTIVE, terminationDate: "" });
    expect(active.etag).not.toBe(hired.etag);

    const gone = await terminate(acme, active, "2025-09-30");
    expect(gone).toMatchObject({ id: hired.id, status: TERMINATED, terminationDate: "2025-09-30" });
    expect(gone.etag).not.toBe(active.etag);
    expect(await read(acme, hired.id)).toEqual(gone);
  });

  it("terminates a pending hire whose offer fell through, on the hire date itself", async () => {
    const acme = await as(newTenant());
    const hired = await hire(acme, { hireDate: "2025-06-02" });
    const gone = await terminate(acme, hired, "2025-06-02");
    expect(gone).toMatchObject({ status: TERMINATED, terminationDate: "2025-06-02" });
  });

  it("refuses to activate an employee who is already active, and changes nothing", async () => {
    const acme = await as(newTenant());
    const active = await activate(acme, await hire(acme));
    const error = await expectError(
      people.employees.activateEmployee({ requestId: randomUUID(), id: active.id, etag: active.etag }, acme),
      Status.FAILED_PRECONDITION,
    );
    expect(error.reason).toBe("EMPLOYEE_NOT_PENDING");
    expect(error.preconditions).toEqual(["EMPLOYEE_NOT_PENDING"]);
    expect(await read(acme, active.id)).toEqual(active);
  });

  it("keeps a terminated employee read-only: update, transfer, activate and terminate are refused", async () => {
    const acme = await as(newTenant());
    const gone = await terminate(acme, await activate(acme, await hire(acme)));
    const { id, etag } = gone;
    const attempts = [
      () =>
        people.employees.updateEmployee(
          { requestId: randomUUID(), employee: { ...gone, jobTitle: "Ghost" }, updateMask: ["job_title"] },
          acme,
        ),
      () =>
        people.employees.transferEmployee(
          { requestId: randomUUID(), id, etag, departmentId: SALES, managerId: "" },
          acme,
        ),
      () => people.employees.activateEmployee({ requestId: randomUUID(), id, etag }, acme),
      () =>
        people.employees.terminateEmployee({ requestId: randomUUID(), id, etag, effectiveDate: "2026-01-31" }, acme),
    ];
    for (const attempt of attempts) {
      const error = await expectError(attempt(), Status.FAILED_PRECONDITION);
      expect(error.reason).toBe("EMPLOYEE_TERMINATED");
      expect(error.preconditions).toEqual(["EMPLOYEE_TERMINATED"]);
    }
    expect(await read(acme, id)).toEqual(gone);
  });

  it("refuses a termination effective before the hire date", async () => {
    const acme = await as(newTenant());
    const hired = await hire(acme, { hireDate: "2025-03-01" });
    for (const effectiveDate of ["2025-02-28", "2025-02-30", ""]) {
      const error = await expectError(
        people.employees.terminateEmployee(
          { requestId: randomUUID(), id: hired.id, etag: hired.etag, effectiveDate },
          acme,
        ),
        Status.INVALID_ARGUMENT,
      );
      expect(error.fields).toEqual(["effective_date"]);
    }
    expect(await read(acme, hired.id)).toEqual(hired);
  });
});

describe("validation", () => {
  it("names every bad field of a hire at once and writes nothing", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const error = await expectError(
      people.employees.hireEmployee(
        hireRequest({
          givenName: "",
          workEmail: "ada.example.com",
          hireDate: "2025-02-30",
          departmentId: "engineering",
          managerId: "boss",
        }),
        acme,
      ),
      Status.INVALID_ARGUMENT,
    );
    expect(error.fields.sort()).toEqual(["department_id", "given_name", "hire_date", "manager_id", "work_email"]);
    expect(await rowsOf(tenant)).toBe(0);
  });

  it("refuses huge strings and control characters, writes nothing, and keeps serving", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const huge = "x".repeat(10_000);
    const cases: [Partial<HireEmployeeRequest>, string][] = [
      [{ givenName: huge }, "given_name"],
      [{ familyName: huge }, "family_name"],
      [{ jobTitle: huge }, "job_title"],
      [{ workEmail: `${huge}@example.com` }, "work_email"],
      [{ workEmail: `ada@${huge}.com` }, "work_email"],
      [{ departmentId: huge }, "department_id"],
      [{ managerId: huge }, "manager_id"],
      [{ hireDate: huge }, "hire_date"],
      [{ givenName: "Ada\u0000" }, "given_name"],
      [{ familyName: "Love\u001blace" }, "family_name"],
      [{ jobTitle: "Engi\u0007neer" }, "job_title"],
      [{ workEmail: "ada\u0000@example.com" }, "work_email"],
      [{ givenName: "Ada\u007f" }, "given_name"],
    ];
    for (const [overrides, field] of cases) {
      const error = await expectError(
        people.employees.hireEmployee(hireRequest(overrides), acme),
        Status.INVALID_ARGUMENT,
      );
      expect(error.fields, JSON.stringify(overrides).slice(0, 80)).toEqual([field]);
    }
    expect(await rowsOf(tenant)).toBe(0);

    const hired = await hire(acme);
    const error = await expectError(
      people.employees.updateEmployee(
        {
          requestId: randomUUID(),
          employee: { ...hired, givenName: huge, jobTitle: "a\u0000b" },
          updateMask: ["given_name", "job_title"],
        },
        acme,
      ),
      Status.INVALID_ARGUMENT,
    );
    expect(error.fields.sort()).toEqual(["given_name", "job_title"]);
    expect(await read(acme, hired.id)).toEqual(hired);
    expect(await listIds(acme)).toEqual([hired.id]);
  });

  it("refuses a name with no visible character (U+200B alone or among other invisible ones), on hire and update", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const invisible = ["\u200b", "\u200b\u200c\u200d", " \u2060 \ufeff ", "\u200b\u00a0\u3164", "\u0301"];
    for (const name of invisible) {
      const error = await expectError(
        people.employees.hireEmployee(hireRequest({ givenName: name, familyName: name }), acme),
        Status.INVALID_ARGUMENT,
      );
      expect(error.fields, JSON.stringify(name)).toEqual(["given_name", "family_name"]);
    }
    expect(await rowsOf(tenant)).toBe(0);

    // A visible character among invisible ones is a name (a joiner belongs inside some scripts' names).
    const hired = await hire(acme, { givenName: "\u200bAda", familyName: "Love\u200dlace" });
    expect(hired).toMatchObject({ givenName: "\u200bAda", familyName: "Love\u200dlace" });
    const renamed = people.employees.updateEmployee(
      { requestId: randomUUID(), employee: { ...hired, givenName: "\u200b" }, updateMask: ["given_name"] },
      acme,
    );
    expect((await expectError(renamed, Status.INVALID_ARGUMENT)).fields).toEqual(["given_name"]);
    expect(await read(acme, hired.id)).toEqual(hired);
  });

  it("refuses malformed ids and an unknown status filter, and keeps serving", async () => {
    const acme = await as(newTenant());
    const unknownStatus: number = 99;
    const listError = await expectError(
      people.employees.listEmployees({ pageSize: 10, status: unknownStatus as EmployeeStatus }, acme),
      Status.INVALID_ARGUMENT,
    );
    expect(listError.fields).toEqual(["status"]);
    const badDepartment = await expectError(
      people.employees.listEmployees({ pageSize: 10, departmentId: "sales" }, acme),
      Status.INVALID_ARGUMENT,
    );
    expect(badDepartment.fields).toEqual(["department_id"]);
    const getError = await expectError(
      people.employees.getEmployee({ id: "not-a-uuid" }, acme),
      Status.INVALID_ARGUMENT,
    );
    expect(getError.fields).toEqual(["id"]);
    const batchError = await expectError(
      people.employees.batchGetEmployees({ ids: [] }, acme),
      Status.INVALID_ARGUMENT,
    );
    expect(batchError.fields).toEqual(["ids"]);

    const hired = await hire(acme);
    expect(await listIds(acme, { status: PENDING })).toEqual([hired.id]);
  });
});

describe("managers", () => {
  it("transfers an employee to another department and manager, and back to no manager", async () => {
    const acme = await as(newTenant());
    const boss = await hire(acme, { givenName: "Boss" });
    const ada = await hire(acme);
    const sales = await departmentOf(acme, SALES);
    const moved = await transfer(acme, ada, sales.toUpperCase(), boss.id.toUpperCase());
    expect(moved).toMatchObject({ departmentId: sales, managerId: boss.id, status: PENDING });
    expect(moved.etag).not.toBe(ada.etag);
    const alone = await transfer(acme, moved, SALES, "");
    expect(alone).toMatchObject({ departmentId: sales, managerId: "" });
    expect(await read(acme, ada.id)).toEqual(alone);
  });

  it("refuses an employee as their own manager", async () => {
    const acme = await as(newTenant());
    const ada = await activate(acme, await hire(acme));
    for (const managerId of [ada.id, ada.id.toUpperCase()]) {
      const error = await expectError(
        people.employees.transferEmployee(
          { requestId: randomUUID(), id: ada.id, etag: ada.etag, departmentId: SALES, managerId },
          acme,
        ),
        Status.INVALID_ARGUMENT,
      );
      expect(error.reason).toBe("SELF_MANAGEMENT");
      expect(error.fields).toEqual(["manager_id"]);
    }
    expect(await read(acme, ada.id)).toEqual(ada);
  });

  it("answers NOT_FOUND for a manager of another tenant, on hire and on transfer", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const foreignBoss = await hire(await as(newTenant()), { givenName: "Foreign" });
    await expectError(
      people.employees.hireEmployee(hireRequest({ managerId: foreignBoss.id }), acme),
      Status.NOT_FOUND,
    );
    expect(await rowsOf(tenant)).toBe(0);

    const ada = await hire(acme);
    await expectError(
      people.employees.transferEmployee(
        { requestId: randomUUID(), id: ada.id, etag: ada.etag, departmentId: SALES, managerId: foreignBoss.id },
        acme,
      ),
      Status.NOT_FOUND,
    );
    await expectError(
      people.employees.transferEmployee(
        { requestId: randomUUID(), id: ada.id, etag: ada.etag, departmentId: SALES, managerId: randomUUID() },
        acme,
      ),
      Status.NOT_FOUND,
    );
    expect(await read(acme, ada.id)).toEqual(ada);
  });

  it("refuses a terminated manager, on hire and on transfer", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const formerBoss = await terminate(acme, await hire(acme, { givenName: "Former" }));
    const hiring = await expectError(
      people.employees.hireEmployee(hireRequest({ managerId: formerBoss.id }), acme),
      Status.FAILED_PRECONDITION,
    );
    expect(hiring.reason).toBe("MANAGER_TERMINATED");
    expect(await rowsOf(tenant)).toBe(1);

    const ada = await hire(acme);
    const transferring = await expectError(
      people.employees.transferEmployee(
        { requestId: randomUUID(), id: ada.id, etag: ada.etag, departmentId: SALES, managerId: formerBoss.id },
        acme,
      ),
      Status.FAILED_PRECONDITION,
    );
    expect(transferring.reason).toBe("MANAGER_TERMINATED");
    expect(transferring.preconditions).toEqual(["MANAGER_TERMINATED"]);
    expect(await read(acme, ada.id)).toEqual(ada);
  });
});

describe("work email uniqueness", () => {
  it("refuses a work email taken in the tenant, on hire and on update", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    await hire(acme, { workEmail: "ada@example.com" });
    const hiring = await expectError(
      people.employees.hireEmployee(
        hireRequest({ workEmail: " ADA@example.com ", departmentId: await departmentOf(acme, ENGINEERING) }),
        acme,
      ),
      Status.ALREADY_EXISTS,
    );
    expect(hiring.reason).toBe("WORK_EMAIL_TAKEN");
    expect(hiring.fields).toEqual(["work_email"]);
    expect(await rowsOf(tenant)).toBe(1);

    const grace = await hire(acme, { givenName: "Grace", workEmail: "grace@example.com" });
    const updating = await expectError(
      people.employees.updateEmployee(
        { requestId: randomUUID(), employee: { ...grace, workEmail: "Ada@Example.com" }, updateMask: ["work_email"] },
        acme,
      ),
      Status.ALREADY_EXISTS,
    );
    expect(updating.reason).toBe("WORK_EMAIL_TAKEN");
    expect(await read(acme, grace.id)).toEqual(grace);
    expect(await rowsOf(tenant)).toBe(2);
  });

  it("allows the same work email in another tenant", async () => {
    await hire(await as(newTenant()), { workEmail: "ada@example.com" });
    const elsewhere = await hire(await as(newTenant()), { workEmail: "ada@example.com" });
    expect(elsewhere.workEmail).toBe("ada@example.com");
  });
});

describe("update mask", () => {
  it("changes only the fields named in the mask", async () => {
    const acme = await as(newTenant());
    const ada = await hire(acme, { givenName: "Ada", familyName: "Lovelace", jobTitle: "Engineer" });
    const everythingChanged: Employee = {
      ...ada,
      givenName: "Augusta",
      familyName: "King",
      workEmail: "augusta@example.com",
      jobTitle: "Analyst",
      departmentId: SALES,
      managerId: randomUUID(),
      hireDate: "2020-01-01",
      status: TERMINATED,
      terminationDate: "2020-12-31",
    };
    const { employee: updated } = await people.employees.updateEmployee(
      { requestId: randomUUID(), employee: everythingChanged, updateMask: ["job_title"] },
      acme,
    );
    expect(updated).toEqual({ ...ada, jobTitle: "Analyst", etag: updated?.etag, updateTime: updated?.updateTime });
    expect(updated?.etag).not.toBe(ada.etag);
    expect(await read(acme, ada.id)).toEqual(updated);
  });

  it("refuses an empty mask and unknown paths, and changes nothing", async () => {
    const acme = await as(newTenant());
    const ada = await hire(acme);
    const masks = [undefined, [], ["department_id"], ["manager_id"], ["status"], ["given_name", "nonsense"]];
    for (const updateMask of masks) {
      const error = await expectError(
        people.employees.updateEmployee(
          { requestId: randomUUID(), employee: { ...ada, givenName: "Changed" }, updateMask },
          acme,
        ),
        Status.INVALID_ARGUMENT,
      );
      expect(error.fields, JSON.stringify(updateMask)).toEqual(["update_mask"]);
    }
    expect(await read(acme, ada.id)).toEqual(ada);
  });

  it("accepts camelCase paths as sent by JSON clients", async () => {
    const acme = await as(newTenant());
    const ada = await hire(acme);
    const { employee: updated } = await people.employees.updateEmployee(
      {
        requestId: randomUUID(),
        employee: { ...ada, givenName: "Augusta", familyName: "King", workEmail: " Augusta.King@Example.com" },
        updateMask: ["givenName", "workEmail"],
      },
      acme,
    );
    expect(updated).toMatchObject({
      givenName: "Augusta",
      familyName: ada.familyName,
      workEmail: "augusta.king@example.com",
    });
    expect(await read(acme, ada.id)).toEqual(updated);
  });
});

describe("listing", () => {
  it("filters by department, manager and status, combined with AND", async () => {
    const acme = await as(newTenant());
    const boss = await activate(acme, await hire(acme, { givenName: "Boss", departmentId: ENGINEERING }));
    const pending = await hire(acme, { departmentId: ENGINEERING, managerId: boss.id });
    const seller = await activate(acme, await hire(acme, { departmentId: SALES, managerId: boss.id }));
    const leaver = await terminate(acme, await hire(acme, { departmentId: SALES }));
    const engineer = await activate(acme, await hire(acme, { departmentId: ENGINEERING, managerId: boss.id }));

    expect(await listIds(acme)).toEqual([boss.id, pending.id, seller.id, leaver.id, engineer.id]);
    expect(await listIds(acme, { departmentId: ENGINEERING })).toEqual([boss.id, pending.id, engineer.id]);
    const sales = await departmentOf(acme, SALES);
    expect(await listIds(acme, { departmentId: sales.toUpperCase() })).toEqual([seller.id, leaver.id]);
    expect(await listIds(acme, { managerId: boss.id })).toEqual([pending.id, seller.id, engineer.id]);
    expect(await listIds(acme, { status: ACTIVE })).toEqual([boss.id, seller.id, engineer.id]);
    expect(await listIds(acme, { status: PENDING })).toEqual([pending.id]);
    expect(await listIds(acme, { status: TERMINATED })).toEqual([leaver.id]);
    expect(await listIds(acme, { departmentId: ENGINEERING, managerId: boss.id, status: ACTIVE })).toEqual([
      engineer.id,
    ]);
    expect(await listIds(acme, { departmentId: SALES, status: TERMINATED })).toEqual([leaver.id]);
    expect(await listIds(acme, { departmentId: SALES, managerId: boss.id, status: PENDING })).toEqual([]);
    expect(await listIds(acme, { managerId: engineer.id })).toEqual([]);
  });

  it("lists the direct reports of several managers in one call, and refuses more than 200 managers", async () => {
    const acme = await as(newTenant());
    const [ada, grace] = [await hire(acme, { givenName: "Ada" }), await hire(acme, { givenName: "Grace" })];
    const adas = await hire(acme, { managerId: ada.id });
    const graces = await hire(acme, { managerId: grace.id });
    await hire(acme, { managerId: adas.id });
    const managerIds = [grace.id.toUpperCase(), ada.id, randomUUID(), ada.id];
    expect(await listIds(acme, { managerIds })).toEqual([adas.id, graces.id]);
    expect(await listIds(acme, { managerIds, managerId: grace.id })).toEqual([graces.id]);
    // Another tenant's manager has no reports here.
    expect(await listIds(await as(newTenant()), { managerIds })).toEqual([]);

    const tooMany = Array.from({ length: 201 }, () => randomUUID());
    const error = await expectError(
      people.employees.listEmployees({ pageSize: 10, managerIds: tooMany }, acme),
      Status.INVALID_ARGUMENT,
    );
    expect(error.fields).toEqual(["manager_ids"]);
    const malformed = await expectError(
      people.employees.listEmployees({ pageSize: 10, managerIds: [ada.id, "boss"] }, acme),
      Status.INVALID_ARGUMENT,
    );
    expect(malformed.fields).toEqual(["manager_ids[1]"]);
  });
});
