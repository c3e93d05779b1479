import { randomUUID } from "node:crypto";
import { Status } from "nice-grpc";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CreateDepartmentRequest,
  DepartmentStatus,
} from "../../generated/proto/hr/organization/v1/department_service.js";
import { as, type Caller, newTenant } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";

// The organization context (hr.organization.v1.DepartmentService) through its
// generated client against a real people server and database.
// Run alone: npm test -- test/contexts/organization.test.ts

let people: PeopleUnderTest;
beforeAll(async () => {
  people = await startPeople();
});
afterAll(() => people?.stop());

const create = (overrides: Partial<CreateDepartmentRequest> = {}): CreateDepartmentRequest => ({
  requestId: randomUUID(),
  name: "Engineering",
  code: `ENG-${randomUUID().slice(0, 8)}`,
  parentDepartmentId: "",
  headEmployeeId: "",
  ...overrides,
});

describe("creating and reading departments", () => {
  it("creates a department and reads it back, alone and in a batch", async () => {
    const acme = await as(newTenant());
    const { department } = await people.departments.createDepartment(create({ name: "Finance", code: "fin" }), acme);
    expect(department).toMatchObject({ name: "Finance", code: "FIN", parentDepartmentId: "" });
    expect(department?.status).toBe(DepartmentStatus.DEPARTMENT_STATUS_ACTIVE);

    const read = await people.departments.getDepartment({ id: department?.id ?? "" }, acme);
    expect(read.department).toEqual(department);

    const missing = randomUUID();
    const batch = await people.departments.batchGetDepartments({ ids: [missing, department?.id ?? ""] }, acme);
    expect(batch.departments.map((d) => d.id)).toEqual([department?.id]);
    expect(batch.notFoundIds).toEqual([missing]);
  });

  it("refuses invalid fields, naming every one of them, and writes nothing", async () => {
    const tenant = newTenant();
    const error = await expectError(
      people.departments.createDepartment(
        create({ name: " ", code: "no spaces!", headEmployeeId: "x" }),
        await as(tenant),
      ),
      Status.INVALID_ARGUMENT,
    );
    expect(error.fields.sort()).toEqual(["code", "head_employee_id", "name"]);
    expect(await people.db.department.count({ where: { tenantId: tenant } })).toBe(0);
  });

  it("refuses a name with no visible character, and writes nothing", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    for (const name of ["\u200b", "\u200b \u200d\u2060", "\ufeff\u00ad"]) {
      const error = await expectError(
        people.departments.createDepartment(create({ name }), acme),
        Status.INVALID_ARGUMENT,
      );
      expect(error.fields, JSON.stringify(name)).toEqual(["name"]);
    }
    expect(await people.db.department.count({ where: { tenantId: tenant } })).toBe(0);
  });

  it("refuses a code already used in the tenant, but not in another tenant", async () => {
    const acme = await as(newTenant());
    await people.departments.createDepartment(create({ code: "OPS" }), acme);
    const error = await expectError(
      people.departments.createDepartment(create({ code: "ops" }), acme),
      Status.ALREADY_EXISTS,
    );
    expect(error.reason).toBe("DEPARTMENT_CODE_TAKEN");
    await people.departments.createDepartment(create({ code: "OPS" }), await as(newTenant()));
  });
});

// The generic request-id checks are in test/conventions/organization.test.ts; this one forces
// the interleaving with the tenant's tree lock, which only this context has.
describe("repeated moves under the tree lock", () => {
  it("answers concurrent repeats of a move with the first result, not a stale etag", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const a = (await people.departments.createDepartment(create({ name: "A" }), acme)).department!;
    const b = (await people.departments.createDepartment(create({ name: "B" }), acme)).department!;
    const move = { requestId: randomUUID(), id: b.id, etag: b.etag, newParentDepartmentId: a.id };
    // Hold the tenant's tree lock: the first call waits for it, holding the
    // request id, and every repeat queues behind that id before it commits.
    const holder = new pg.Client({ connectionString: people.databaseUrl });
    await holder.connect();
    try {
      await holder.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [`departments:${tenant}`]);
      const calls = Array.from({ length: 4 }, () => people.departments.moveDepartment(move, acme));
      await waitForLockWaiters(holder, 4);
      await holder.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [`departments:${tenant}`]);
      const results = await Promise.all(calls);
      for (const result of results) expect(result).toEqual(results[0]);
      expect(results[0]?.department?.etag).toBe('"2"');
    } finally {
      await holder.end();
    }
  });
});

describe("update mask", () => {
  it("changes only the fields named in the update mask", async () => {
    const acme = await as(newTenant());
    const { department } = await people.departments.createDepartment(create({ name: "Legal", code: "LEG" }), acme);
    const { department: updated } = await people.departments.updateDepartment(
      {
        requestId: randomUUID(),
        department: { ...department!, name: "Legal & Compliance", code: "IGNORED" },
        updateMask: ["name"],
      },
      acme,
    );
    expect(updated).toMatchObject({ name: "Legal & Compliance", code: "LEG" });
    const error = await expectError(
      people.departments.updateDepartment(
        { requestId: randomUUID(), department: updated, updateMask: ["parent_department_id"] },
        acme,
      ),
      Status.INVALID_ARGUMENT,
    );
    expect(error.fields).toEqual(["update_mask"]);
  });
});

describe("the department tree", () => {
  async function chain(acme: Caller) {
    const a = (await people.departments.createDepartment(create({ name: "A" }), acme)).department!;
    const b = (await people.departments.createDepartment(create({ name: "B", parentDepartmentId: a.id }), acme))
      .department!;
    const c = (await people.departments.createDepartment(create({ name: "C", parentDepartmentId: b.id }), acme))
      .department!;
    return { a, b, c };
  }

  it("refuses a move that would make a cycle, at any depth", async () => {
    const acme = await as(newTenant());
    const { a, c } = await chain(acme);
    for (const newParent of [c.id, a.id]) {
      const error = await expectError(
        people.departments.moveDepartment(
          { requestId: randomUUID(), id: a.id, etag: a.etag, newParentDepartmentId: newParent },
          acme,
        ),
        Status.FAILED_PRECONDITION,
      );
      expect(error.reason).toBe("DEPARTMENT_CYCLE");
    }
    const read = await people.departments.getDepartment({ id: a.id }, acme);
    expect(read.department?.parentDepartmentId).toBe("");
  });

  it("moves a subtree and lists children by parent", async () => {
    const acme = await as(newTenant());
    const { a, b, c } = await chain(acme);
    const { department: moved } = await people.departments.moveDepartment(
      { requestId: randomUUID(), id: c.id, etag: c.etag, newParentDepartmentId: a.id },
      acme,
    );
    expect(moved?.parentDepartmentId).toBe(a.id);
    const children = await people.departments.listDepartments(
      { pageSize: 10, pageToken: "", parentDepartmentId: a.id, includeArchived: false },
      acme,
    );
    expect(children.departments.map((d) => d.id)).toEqual([b.id, c.id]);
    const roots = await people.departments.listDepartments(
      { pageSize: 10, pageToken: "", parentDepartmentId: "", includeArchived: false },
      acme,
    );
    expect(roots.departments.map((d) => d.id)).toEqual([a.id]);
  });

  it("archives only a department without active children", async () => {
    const acme = await as(newTenant());
    const { b, c } = await chain(acme);
    const error = await expectError(
      people.departments.archiveDepartment({ requestId: randomUUID(), id: b.id, etag: b.etag }, acme),
      Status.FAILED_PRECONDITION,
    );
    expect(error.reason).toBe("DEPARTMENT_HAS_ACTIVE_CHILDREN");
    await people.departments.archiveDepartment({ requestId: randomUUID(), id: c.id, etag: c.etag }, acme);
    const { department } = await people.departments.archiveDepartment(
      { requestId: randomUUID(), id: b.id, etag: b.etag },
      acme,
    );
    expect(department?.status).toBe(DepartmentStatus.DEPARTMENT_STATUS_ARCHIVED);
    const refused = await expectError(
      people.departments.createDepartment(create({ parentDepartmentId: b.id }), acme),
      Status.FAILED_PRECONDITION,
    );
    expect(refused.reason).toBe("PARENT_DEPARTMENT_ARCHIVED");
  });
});

/** Waits until `count` sessions wait for a lock (the tree lock or a claimed request id). */
async function waitForLockWaiters(client: pg.Client, count: number): Promise<void> {
  for (let i = 0; i < 250; i++) {
    const { rows } = await client.query("SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted");
    if (rows[0].n >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`fewer than ${count} sessions waited for the lock`);
}
