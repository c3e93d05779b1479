import { describe, expect, it } from "vitest";
import { DomainError } from "../../runtime/domain/domain-error.js";
import {
  archiveDepartment,
  createDepartment,
  type Department,
  moveDepartment,
  type NewDepartment,
  updateDepartment,
} from "../../services/people/organization/department.js";

const T0 = "2025-01-01T00:00:00.000Z";
const T1 = "2025-02-01T00:00:00.000Z";
const TENANT = "tenant-a";
const ID = {
  root: "00000000-0000-4000-8000-000000000001",
  child: "00000000-0000-4000-8000-000000000002",
  grandchild: "00000000-0000-4000-8000-000000000003",
  other: "00000000-0000-4000-8000-000000000004",
  head: "00000000-0000-4000-8000-0000000000aa",
};

function department(id: string, overrides: Partial<Department> = {}): Department {
  const base: Department = {
    ...{ id, tenantId: TENANT, name: `Dept ${id.slice(-1)}`, code: `D${id.slice(-1)}`, parentId: null },
    ...{ headEmployeeId: null, status: "active", version: 3, createTime: T0, updateTime: T0 },
  };
  return Object.freeze({ ...base, ...overrides });
}

function newDepartment(overrides: Partial<NewDepartment> = {}): NewDepartment {
  const base = { id: ID.other, tenantId: TENANT, name: "Platform", code: "eng-platform", parentId: null };
  return { ...base, headEmployeeId: null, ...overrides };
}

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError");
}

function fieldsOf(error: DomainError): string[] {
  return error.fieldViolations.map((v) => v.field);
}

describe("createDepartment", () => {
  it("creates an active top-level department at version 1, trimmed and upper-cased", () => {
    const d = createDepartment(newDepartment({ name: "  Platform  ", code: " eng-platform_2 " }), null, T1);
    expect(d).toEqual({
      ...{ id: ID.other, tenantId: TENANT, name: "Platform", code: "ENG-PLATFORM_2", parentId: null },
      ...{ headEmployeeId: null, status: "active", version: 1, createTime: T1, updateTime: T1 },
    });
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
  });

  it("creates under an active parent, with a head (ids lower-cased, '' meaning none)", () => {
    const input = newDepartment({ parentId: ID.root.toUpperCase(), headEmployeeId: ID.head.toUpperCase() });
    const d = createDepartment(input, department(ID.root), T1);
    expect(d.parentId).toBe(ID.root);
    expect(d.headEmployeeId).toBe(ID.head);
    expect(createDepartment(newDepartment({ parentId: "", headEmployeeId: "" }), null, T1)).toMatchObject({
      parentId: null,
      headEmployeeId: null,
    });
  });

  it("accepts the limits: 200-character name, 32-character code, astral characters counted once", () => {
    const d = createDepartment(newDepartment({ name: "😀".repeat(200), code: "A".repeat(32) }), null, T1);
    expect(d.code).toBe("A".repeat(32));
  });

  it("lists every bad field at once", () => {
    const input = newDepartment({ name: " ", code: "eng platform", parentId: "x", headEmployeeId: "y" });
    const error = refusal(() => createDepartment(input, null, T1));
    expect(error.kind).toBe("invalid_argument");
    expect(error.reason).toBe("INVALID_ARGUMENT");
    expect(fieldsOf(error)).toEqual(["name", "code", "parent_department_id", "head_employee_id"]);
  });

  it.each([
    ["name", { name: "" }],
    ["name", { name: "x".repeat(201) }],
    ["name", { name: "x".repeat(10_000) }],
    ["name", { name: "Pay\nroll" }],
    ["name", { name: "Pay\u0000roll" }],
    ["code", { code: "" }],
    ["code", { code: "A".repeat(33) }],
    ["code", { code: "A".repeat(10_000) }],
    ["code", { code: "ENG.PLATFORM" }],
    ["code", { code: "ÉNG" }],
    ["code", { code: "ſales" }], // upper-cases to "SALES"
    ["code", { code: "ENG\t1" }],
  ])("refuses a bad %s: %j", (field, overrides) => {
    const error = refusal(() => createDepartment(newDepartment(overrides), null, T1));
    expect(error.kind).toBe("invalid_argument");
    expect(fieldsOf(error)).toEqual([field]);
  });

  it("refuses an archived parent", () => {
    const parent = department(ID.root, { status: "archived" });
    const error = refusal(() => createDepartment(newDepartment({ parentId: ID.root }), parent, T1));
    expect(error.kind).toBe("failed_precondition");
    expect(error.reason).toBe("PARENT_DEPARTMENT_ARCHIVED");
    expect(error.preconditionViolations[0]?.subject).toBe(`departments/${ID.root}`);
  });

  it("answers NOT_FOUND for a parent missing or of another tenant", () => {
    const foreign = department(ID.root, { tenantId: "tenant-b" });
    for (const parent of [null, foreign]) {
      const error = refusal(() => createDepartment(newDepartment({ parentId: ID.root }), parent, T1));
      expect(error.kind).toBe("not_found");
      expect(error.reason).toBe("DEPARTMENT_NOT_FOUND");
    }
  });

  it("treats a parent that does not match parentId as a caller bug", () => {
    const mismatched = () => createDepartment(newDepartment({ parentId: ID.root }), department(ID.child), T1);
    const unexpected = () => createDepartment(newDepartment(), department(ID.child), T1);
    for (const run of [mismatched, unexpected]) {
      expect(run).toThrow(Error);
      expect(run).not.toThrow(DomainError);
    }
  });
});

describe("updateDepartment", () => {
  it("changes only the given fields and bumps the version, leaving the input alone", () => {
    const d = department(ID.root, { headEmployeeId: ID.head });
    const before = structuredClone(d);
    const updated = updateDepartment(d, { name: " Finance ", code: "fin" }, T1);
    expect(updated).toEqual({ ...before, name: "Finance", code: "FIN", version: 4, updateTime: T1 });
    expect(d).toEqual(before);
  });

  it("sets and clears the head", () => {
    const d = department(ID.root);
    expect(updateDepartment(d, { headEmployeeId: ID.head }, T1).headEmployeeId).toBe(ID.head);
    const headed = department(ID.root, { headEmployeeId: ID.head });
    expect(updateDepartment(headed, { headEmployeeId: null }, T1).headEmployeeId).toBeNull();
    expect(updateDepartment(headed, { headEmployeeId: "" }, T1).headEmployeeId).toBeNull();
    expect(updateDepartment(headed, {}, T1)).toMatchObject({ headEmployeeId: ID.head, version: 4 });
  });

  it("lists every bad field at once", () => {
    const changes = { name: "x".repeat(10_000), code: "a b", headEmployeeId: "nope" };
    const error = refusal(() => updateDepartment(department(ID.root), changes, T1));
    expect(error.kind).toBe("invalid_argument");
    expect(fieldsOf(error)).toEqual(["name", "code", "head_employee_id"]);
  });

  it("refuses an archived department", () => {
    const error = refusal(() => updateDepartment(department(ID.root, { status: "archived" }), { name: "X" }, T1));
    expect(error.kind).toBe("failed_precondition");
    expect(error.reason).toBe("DEPARTMENT_ARCHIVED");
    expect(error.preconditionViolations[0]?.subject).toBe(`departments/${ID.root}`);
  });
});

describe("moveDepartment", () => {
  it("moves under an active parent, and back to the top level", () => {
    const d = department(ID.child);
    const before = structuredClone(d);
    const moved = moveDepartment(d, department(ID.other), [], T1);
    expect(moved).toEqual({ ...before, parentId: ID.other, version: 4, updateTime: T1 });
    expect(d).toEqual(before);
    const top = moveDepartment(department(ID.child, { parentId: ID.root }), null, [], T1);
    expect(top).toMatchObject({ parentId: null, version: 4, updateTime: T1 });
  });

  it("refuses a move under itself", () => {
    const error = refusal(() => moveDepartment(department(ID.root), department(ID.root), [], T1));
    expect(error.kind).toBe("failed_precondition");
    expect(error.reason).toBe("DEPARTMENT_CYCLE");
  });

  it("refuses a move under a descendant, however deep", () => {
    // root > child > grandchild: moving root under grandchild closes a loop of depth 2.
    const grandchild = department(ID.grandchild, { parentId: ID.child });
    const error = refusal(() => moveDepartment(department(ID.root), grandchild, [ID.child, ID.root], T1));
    expect(error.kind).toBe("failed_precondition");
    expect(error.reason).toBe("DEPARTMENT_CYCLE");
    expect(error.message).toContain(ID.root);
    expect(error.message).toContain(ID.grandchild);
    expect(error.preconditionViolations[0]?.subject).toBe(`departments/${ID.root}`);
  });

  it("refuses an archived new parent", () => {
    const parent = department(ID.other, { status: "archived" });
    const error = refusal(() => moveDepartment(department(ID.child), parent, [], T1));
    expect(error.reason).toBe("PARENT_DEPARTMENT_ARCHIVED");
    expect(error.preconditionViolations[0]?.subject).toBe(`departments/${ID.other}`);
  });

  it("refuses to move an archived department", () => {
    const error = refusal(() => moveDepartment(department(ID.child, { status: "archived" }), null, [], T1));
    expect(error.kind).toBe("failed_precondition");
    expect(error.reason).toBe("DEPARTMENT_ARCHIVED");
  });

  it("answers NOT_FOUND for a new parent of another tenant", () => {
    const foreign = department(ID.other, { tenantId: "tenant-b" });
    expect(refusal(() => moveDepartment(department(ID.child), foreign, [], T1)).kind).toBe("not_found");
  });
});

describe("archiveDepartment", () => {
  it("archives a department without active children", () => {
    const d = department(ID.root);
    const before = structuredClone(d);
    expect(archiveDepartment(d, 0, T1)).toEqual({ ...before, status: "archived", version: 4, updateTime: T1 });
    expect(d).toEqual(before);
  });

  it("refuses while active children remain", () => {
    const error = refusal(() => archiveDepartment(department(ID.root), 2, T1));
    expect(error.kind).toBe("failed_precondition");
    expect(error.reason).toBe("DEPARTMENT_HAS_ACTIVE_CHILDREN");
    expect(error.preconditionViolations[0]?.subject).toBe(`departments/${ID.root}`);
  });

  it("refuses an archived department", () => {
    const error = refusal(() => archiveDepartment(department(ID.root, { status: "archived" }), 0, T1));
    expect(error.reason).toBe("DEPARTMENT_ARCHIVED");
  });
});
