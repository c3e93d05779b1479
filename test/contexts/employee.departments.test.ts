import { randomUUID } from "node:crypto";
import { Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Employee, HireEmployeeRequest } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { as, type Caller, newTenant } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";
import { openDepartment } from "./employee.fixtures.js";

// A hire or a transfer places an employee in a department of the caller's
// tenant that exists and is not archived, checked in the same transaction as
// the write. Run alone: npx vitest run test/contexts/employee.departments.test.ts

let people: PeopleUnderTest;
beforeAll(async () => {
  people = await startPeople();
});
afterAll(() => people?.stop());

const hireRequest = (departmentId: string, overrides: Partial<HireEmployeeRequest> = {}): HireEmployeeRequest => ({
  requestId: randomUUID(),
  givenName: "Ada",
  familyName: "Lovelace",
  workEmail: `ada.${randomUUID().slice(0, 8)}@example.com`,
  jobTitle: "",
  departmentId,
  managerId: "",
  hireDate: "2025-03-01",
  ...overrides,
});

async function hire(caller: Caller, departmentId: string, overrides: Partial<HireEmployeeRequest> = {}) {
  return (await people.employees.hireEmployee(hireRequest(departmentId, overrides), caller)).employee as Employee;
}

const transferRequest = (e: Employee, departmentId: string, managerId = "") => ({
  requestId: randomUUID(),
  ...{ id: e.id, etag: e.etag, departmentId, managerId },
});

async function archive(caller: Caller, id: string): Promise<void> {
  const { department } = await people.departments.getDepartment({ id }, caller);
  await people.departments.archiveDepartment({ requestId: randomUUID(), id, etag: department?.etag ?? "" }, caller);
}

/** The refusal a placement in `departmentId` must get: FAILED_PRECONDITION naming department_id. */
async function refusedPlacement(call: Promise<unknown>, reason: string) {
  const error = await expectError(call, Status.FAILED_PRECONDITION);
  expect(error).toMatchObject({ reason, fields: ["department_id"], preconditions: [reason] });
}

const rowsOf = (tenantId: string) => people.db.employee.count({ where: { tenantId } });

describe("the department of a hire or a transfer", () => {
  it("must exist in the caller's tenant: an unknown id and another tenant's department are refused alike", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const foreign = await openDepartment(people, newTenant());
    for (const departmentId of [randomUUID(), foreign, foreign.toUpperCase()]) {
      await refusedPlacement(people.employees.hireEmployee(hireRequest(departmentId), acme), "UNKNOWN_DEPARTMENT");
    }
    expect(await rowsOf(tenant)).toBe(0);

    const ada = await hire(acme, await openDepartment(people, tenant));
    for (const departmentId of [randomUUID(), foreign]) {
      await refusedPlacement(
        people.employees.transferEmployee(transferRequest(ada, departmentId), acme),
        "UNKNOWN_DEPARTMENT",
      );
    }
    expect((await people.employees.getEmployee({ id: ada.id }, acme)).employee).toEqual(ada);
  });

  it("must not be archived; someone already in an archived department may still change manager", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const [closing, open] = [await openDepartment(people, tenant), await openDepartment(people, tenant)];
    const ada = await hire(acme, closing);
    const boss = await hire(acme, open, { givenName: "Boss" });
    await archive(acme, closing);

    await refusedPlacement(people.employees.hireEmployee(hireRequest(closing), acme), "DEPARTMENT_ARCHIVED");
    await refusedPlacement(
      people.employees.transferEmployee(transferRequest(boss, closing), acme),
      "DEPARTMENT_ARCHIVED",
    );
    expect(await rowsOf(tenant)).toBe(2);

    const managed = await people.employees.transferEmployee(transferRequest(ada, closing, boss.id), acme);
    expect(managed.employee).toMatchObject({ departmentId: closing, managerId: boss.id });
    const moved = await people.employees.transferEmployee(transferRequest(managed.employee as Employee, open), acme);
    expect(moved.employee).toMatchObject({ departmentId: open });
  });

  it("is one of the employee's tenant for any writer: the database refuses another tenant's department", async () => {
    const tenant = newTenant();
    const ada = await hire(await as(tenant), await openDepartment(people, tenant));
    const foreign = await openDepartment(people, newTenant());
    const moved = people.db
      .$executeRaw`UPDATE employees SET department_id = ${foreign}::uuid WHERE id = ${ada.id}::uuid`;
    await expect(moved).rejects.toThrow(/employees_tenant_id_department_id_fkey/);
    expect((await people.employees.getEmployee({ id: ada.id }, await as(tenant))).employee).toEqual(ada);
  });

  it("is checked under a lock: a hire waiting on an archive in progress sees the archive", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const department = await openDepartment(people, tenant);
    const { department: before } = await people.departments.getDepartment({ id: department }, acme);
    // The archive's transaction holds the department's row until the hire is
    // seen waiting for it; a hire that read the row without a lock would see
    // it active (the archive is not committed yet) and hire.
    let hiring: Promise<void> | undefined;
    await people.db.$transaction(
      async (tx) => {
        await tx.$executeRaw`UPDATE departments SET status = 'archived', version = version + 1 WHERE id = ${department}::uuid`;
        hiring = refusedPlacement(people.employees.hireEmployee(hireRequest(department), acme), "DEPARTMENT_ARCHIVED");
        await waitForLockWaiter(hiring);
      },
      { timeout: 15_000 },
    );
    await hiring;
    expect(await rowsOf(tenant)).toBe(0);
    expect(before?.status).not.toBe(
      (await people.departments.getDepartment({ id: department }, acme)).department?.status,
    );
  });
});

/**
 * Resolves once a session of the database waits for a lock, or once
 * `call` has settled (then the call did not wait, and its own check fails).
 */
async function waitForLockWaiter(call: Promise<void>): Promise<void> {
  let settled = false;
  const done = () => {
    settled = true;
  };
  // Observed here, awaited by the caller: a rejection is never left unhandled.
  call.then(done, done);
  while (!settled) {
    const [row] = await people.db.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    if ((row?.n ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
