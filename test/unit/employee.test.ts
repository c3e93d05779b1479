import { describe, expect, it } from "vitest";
import { DomainError } from "../../runtime/domain/domain-error.js";
import {
  activateEmployee,
  type Employee,
  hireEmployee,
  type NewHire,
  terminateEmployee,
  transferEmployee,
  updateEmployee,
} from "../../services/people/employee/employee.js";

const T0 = "2025-01-01T00:00:00.000Z";
const T1 = "2025-02-01T00:00:00.000Z";
const TENANT = "tenant-a";
const ID = {
  ada: "00000000-0000-4000-8000-000000000001",
  boss: "00000000-0000-4000-8000-000000000002",
  other: "00000000-0000-4000-8000-000000000003",
  dept: "00000000-0000-4000-8000-0000000000d1",
  dept2: "00000000-0000-4000-8000-0000000000d2",
};

function employee(id: string, overrides: Partial<Employee> = {}): Employee {
  const base: Employee = {
    ...{ id, tenantId: TENANT, givenName: "Ada", familyName: "Lovelace", workEmail: `${id}@example.com` },
    ...{ jobTitle: "Engineer", departmentId: ID.dept, managerId: null, hireDate: "2024-03-01", status: "active" },
    ...{ terminationDate: null, version: 3, createTime: T0, updateTime: T0 },
  };
  return Object.freeze({ ...base, ...overrides });
}

function newHire(overrides: Partial<NewHire> = {}): NewHire {
  const base = { id: ID.ada, tenantId: TENANT, givenName: "Ada", familyName: "Lovelace", workEmail: "ada@example.com" };
  return { ...base, jobTitle: "", departmentId: ID.dept, managerId: null, hireDate: "2025-03-01", ...overrides };
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

function expectPrecondition(error: DomainError, reason: string, subjectId: string): void {
  expect(error.kind).toBe("failed_precondition");
  expect(error.reason).toBe(reason);
  expect(error.preconditionViolations[0]?.subject).toBe(`employees/${subjectId}`);
}

const terminated = (id: string): Employee => employee(id, { status: "terminated", terminationDate: "2025-01-31" });

describe("hireEmployee", () => {
  it("hires a pending employee at version 1, normalized", () => {
    const input = newHire({ givenName: " Ada ", workEmail: "  Ada.Lovelace@Example.COM ", jobTitle: " CTO " });
    const e = hireEmployee({ ...input, departmentId: ID.dept.toUpperCase() }, null, T1);
    expect(e).toEqual({
      ...{
        id: ID.ada,
        tenantId: TENANT,
        givenName: "Ada",
        familyName: "Lovelace",
        workEmail: "ada.lovelace@example.com",
      },
      ...{ jobTitle: "CTO", departmentId: ID.dept, managerId: null, hireDate: "2025-03-01", status: "pending" },
      ...{ terminationDate: null, version: 1, createTime: T1, updateTime: T1 },
    });
    expect(JSON.parse(JSON.stringify(e))).toEqual(e);
  });

  it("hires with a pending or active manager; '' means no manager", () => {
    for (const status of ["pending", "active"] as const) {
      const e = hireEmployee(newHire({ managerId: ID.boss }), employee(ID.boss, { status }), T1);
      expect(e.managerId).toBe(ID.boss);
    }
    expect(hireEmployee(newHire({ managerId: "" }), null, T1).managerId).toBeNull();
  });

  it("lists every bad field at once", () => {
    const input = {
      ...{ givenName: "", familyName: "x".repeat(10_000), workEmail: "nope", jobTitle: "x".repeat(201) },
      ...{ departmentId: "", managerId: "boss", hireDate: "2025-02-30" },
    };
    const error = refusal(() => hireEmployee(newHire(input), null, T1));
    expect(error.kind).toBe("invalid_argument");
    expect(error.reason).toBe("INVALID_ARGUMENT");
    expect(fieldsOf(error)).toEqual([
      ...["given_name", "family_name", "work_email", "job_title"],
      ...["department_id", "manager_id", "hire_date"],
    ]);
  });

  it.each([
    ["given_name", { givenName: "   " }],
    ["given_name", { givenName: "A\u0007da" }],
    ["family_name", { familyName: "x".repeat(101) }],
    ["work_email", { workEmail: "" }],
    ["work_email", { workEmail: "ada@example" }],
    ["work_email", { workEmail: "ada@@example.com" }],
    ["work_email", { workEmail: "ada love@example.com" }],
    ["work_email", { workEmail: `${"a".repeat(250)}@example.com` }],
    ["job_title", { jobTitle: "x".repeat(10_000) }],
    ["job_title", { jobTitle: "Eng\r\nineer" }],
    ["department_id", { departmentId: "d1" }],
    ["hire_date", { hireDate: "2025-13-01" }],
    ["hire_date", { hireDate: "2023-02-29" }],
    ["hire_date", { hireDate: "1899-12-31" }],
    ["hire_date", { hireDate: "01/03/2025" }],
    ["hire_date", { hireDate: "" }],
  ])("refuses a bad %s: %j", (field, overrides) => {
    const error = refusal(() => hireEmployee(newHire(overrides), null, T1));
    expect(error.kind).toBe("invalid_argument");
    expect(fieldsOf(error)).toEqual([field]);
  });

  it("accepts the limits: 100-character names, 200-character title, empty title", () => {
    const input = newHire({ givenName: "é".repeat(100), familyName: "😀".repeat(100), jobTitle: "x".repeat(200) });
    expect(hireEmployee(input, null, T1).jobTitle).toHaveLength(200);
  });

  it("refuses a terminated manager", () => {
    const error = refusal(() => hireEmployee(newHire({ managerId: ID.boss }), terminated(ID.boss), T1));
    expectPrecondition(error, "MANAGER_TERMINATED", ID.boss);
  });

  it("refuses the new hire as their own manager", () => {
    const error = refusal(() => hireEmployee(newHire({ managerId: ID.ada }), null, T1));
    expect(error.kind).toBe("invalid_argument");
    expect(error.reason).toBe("SELF_MANAGEMENT");
    expect(fieldsOf(error)).toEqual(["manager_id"]);
  });

  it("answers NOT_FOUND for a manager missing or of another tenant", () => {
    for (const manager of [null, employee(ID.boss, { tenantId: "tenant-b" })]) {
      const error = refusal(() => hireEmployee(newHire({ managerId: ID.boss }), manager, T1));
      expect(error.kind).toBe("not_found");
    }
  });
});

describe("updateEmployee", () => {
  it("changes only the given fields and bumps the version, leaving the input alone", () => {
    const e = employee(ID.ada);
    const before = structuredClone(e);
    const updated = updateEmployee(e, { familyName: " King ", workEmail: "ADA@EXAMPLE.COM", jobTitle: "" }, T1);
    expect(updated).toEqual({
      ...before,
      ...{ familyName: "King", workEmail: "ada@example.com", jobTitle: "", version: 4, updateTime: T1 },
    });
    expect(e).toEqual(before);
  });

  it("lists every bad field at once", () => {
    const changes = { givenName: "", familyName: "\u0000", workEmail: "a@b", jobTitle: "x".repeat(10_000) };
    const error = refusal(() => updateEmployee(employee(ID.ada), changes, T1));
    expect(error.kind).toBe("invalid_argument");
    expect(fieldsOf(error)).toEqual(["given_name", "family_name", "work_email", "job_title"]);
  });

  it("refuses a terminated employee", () => {
    const error = refusal(() => updateEmployee(terminated(ID.ada), { givenName: "Augusta" }, T1));
    expectPrecondition(error, "EMPLOYEE_TERMINATED", ID.ada);
  });
});

describe("activateEmployee", () => {
  it("activates a pending employee", () => {
    const e = employee(ID.ada, { status: "pending" });
    const before = structuredClone(e);
    expect(activateEmployee(e, T1)).toEqual({ ...before, status: "active", version: 4, updateTime: T1 });
    expect(e).toEqual(before);
  });

  it("refuses an active employee, and a terminated one", () => {
    expectPrecondition(
      refusal(() => activateEmployee(employee(ID.ada), T1)),
      "EMPLOYEE_NOT_PENDING",
      ID.ada,
    );
    expectPrecondition(
      refusal(() => activateEmployee(terminated(ID.ada), T1)),
      "EMPLOYEE_TERMINATED",
      ID.ada,
    );
  });
});

describe("transferEmployee", () => {
  it("changes department and manager", () => {
    const e = employee(ID.ada);
    const before = structuredClone(e);
    const moved = transferEmployee(e, { departmentId: ID.dept2, managerId: ID.boss }, employee(ID.boss), T1);
    expect(moved).toEqual({ ...before, departmentId: ID.dept2, managerId: ID.boss, version: 4, updateTime: T1 });
    expect(e).toEqual(before);
  });

  it("removes the manager, and transfers a pending hire", () => {
    const e = employee(ID.ada, { managerId: ID.boss, status: "pending" });
    expect(transferEmployee(e, { departmentId: ID.dept, managerId: null }, null, T1)).toMatchObject({
      ...{ departmentId: ID.dept, managerId: null, status: "pending", version: 4 },
    });
  });

  it("lists every bad field at once", () => {
    const error = refusal(() => transferEmployee(employee(ID.ada), { departmentId: "", managerId: "x" }, null, T1));
    expect(error.kind).toBe("invalid_argument");
    expect(fieldsOf(error)).toEqual(["department_id", "manager_id"]);
  });

  it("refuses the employee as their own manager, whatever the case of the id", () => {
    const to = { departmentId: ID.dept, managerId: ID.ada.toUpperCase() };
    const error = refusal(() => transferEmployee(employee(ID.ada), to, employee(ID.ada), T1));
    expect(error.kind).toBe("invalid_argument");
    expect(error.reason).toBe("SELF_MANAGEMENT");
    expect(fieldsOf(error)).toEqual(["manager_id"]);
  });

  it("refuses a terminated manager", () => {
    const to = { departmentId: ID.dept, managerId: ID.boss };
    const error = refusal(() => transferEmployee(employee(ID.ada), to, terminated(ID.boss), T1));
    expectPrecondition(error, "MANAGER_TERMINATED", ID.boss);
  });

  it("refuses a terminated employee", () => {
    const to = { departmentId: ID.dept2, managerId: null };
    expectPrecondition(
      refusal(() => transferEmployee(terminated(ID.ada), to, null, T1)),
      "EMPLOYEE_TERMINATED",
      ID.ada,
    );
  });

  it("treats a manager that does not match managerId as a caller bug", () => {
    const run = () =>
      transferEmployee(employee(ID.ada), { departmentId: ID.dept, managerId: ID.boss }, employee(ID.other), T1);
    expect(run).toThrow(Error);
    expect(run).not.toThrow(DomainError);
  });
});

describe("terminateEmployee", () => {
  it.each(["active", "pending"] as const)("terminates a %s employee", (status) => {
    const e = employee(ID.ada, { status });
    const before = structuredClone(e);
    const ended = terminateEmployee(e, "2025-06-30", T1);
    expect(ended).toEqual({
      ...before,
      status: "terminated",
      terminationDate: "2025-06-30",
      version: 4,
      updateTime: T1,
    });
    expect(e).toEqual(before);
  });

  it("accepts termination on the hire date itself", () => {
    expect(terminateEmployee(employee(ID.ada), "2024-03-01", T1).terminationDate).toBe("2024-03-01");
  });

  it.each(["2024-02-29", "2024-02-30", "2024-13-01", "", "soon", "x".repeat(10_000)])(
    "refuses the effective date %j",
    (date) => {
      const error = refusal(() => terminateEmployee(employee(ID.ada), date, T1));
      expect(error.kind).toBe("invalid_argument");
      expect(fieldsOf(error)).toEqual(["effective_date"]);
    },
  );

  it("refuses a terminated employee", () => {
    const error = refusal(() => terminateEmployee(terminated(ID.ada), "2025-06-30", T1));
    expectPrecondition(error, "EMPLOYEE_TERMINATED", ID.ada);
  });
});
