import { describe, expect, it } from "vitest";
import { DomainError } from "../../runtime/domain/domain-error.js";
import {
  closeJobOpening,
  createJobOpening,
  holdJobOpening,
  type JobOpening,
  type JobOpeningStatus,
  type NewJobOpening,
  openJobOpening,
  updateJobOpening,
} from "../../services/talent/requisition/job-opening.js";

const T0 = "2025-01-01T00:00:00.000Z";
const T1 = "2025-02-01T00:00:00.000Z";
const ID = "00000000-0000-4000-8000-000000000001";
const DEPT = "00000000-0000-4000-8000-0000000000d1";
const DEPT2 = "00000000-0000-4000-8000-0000000000d2";

function opening(overrides: Partial<JobOpening> = {}): JobOpening {
  const base: JobOpening = {
    ...{ id: ID, tenantId: "tenant-a", title: "Engineer", departmentId: DEPT, headcount: 2, description: "" },
    ...{ status: "open", version: 3, createTime: T0, updateTime: T0 },
  };
  return Object.freeze({ ...base, ...overrides });
}

function newOpening(overrides: Partial<NewJobOpening> = {}): NewJobOpening {
  const base = { id: ID, tenantId: "tenant-a", title: "Engineer", departmentId: DEPT, headcount: 1 };
  return { ...base, description: "", ...overrides };
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

const fieldsOf = (error: DomainError): string[] => error.fieldViolations.map((v) => v.field);

describe("createJobOpening", () => {
  it("creates a draft at version 1, normalized", () => {
    const input = newOpening({ title: "  Staff Engineer ", departmentId: DEPT.toUpperCase(), headcount: 3 });
    const o = createJobOpening({ ...input, description: "  Line one\r\n\tLine two\rthree  " }, T1);
    expect(o).toEqual({
      ...{ id: ID, tenantId: "tenant-a", title: "Staff Engineer", departmentId: DEPT, headcount: 3 },
      ...{ description: "Line one\n\tLine two\nthree", status: "draft", version: 1, createTime: T1, updateTime: T1 },
    });
    expect(JSON.parse(JSON.stringify(o))).toEqual(o);
  });

  it("accepts the limits: 200-character title, headcount 1 and 1000, 5000-character description", () => {
    for (const headcount of [1, 1000]) {
      const input = newOpening({ title: "é".repeat(200), headcount, description: "😀".repeat(5000) });
      expect(createJobOpening(input, T1).headcount).toBe(headcount);
    }
  });

  it("lists every bad field at once", () => {
    const input = { title: "", departmentId: "engineering", headcount: 0, description: "x".repeat(10_000) };
    const error = refusal(() => createJobOpening(newOpening(input), T1));
    expect(error.kind).toBe("invalid_argument");
    expect(fieldsOf(error)).toEqual(["title", "department_id", "headcount", "description"]);
  });

  it.each([
    ["title", { title: "   " }],
    ["title", { title: "x".repeat(201) }],
    ["title", { title: "Eng\u0000ineer" }],
    ["title", { title: "Eng\nineer" }],
    ["department_id", { departmentId: "" }],
    ["department_id", { departmentId: "x".repeat(10_000) }],
    ["headcount", { headcount: 0 }],
    ["headcount", { headcount: -1 }],
    ["headcount", { headcount: 1001 }],
    ["headcount", { headcount: 1.5 }],
    ["description", { description: "x".repeat(5001) }],
    ["description", { description: "bell\u0007" }],
    ["description", { description: "escape\u001b[0m" }],
  ])("refuses a bad %s: %j", (field, overrides) => {
    const error = refusal(() => createJobOpening(newOpening(overrides), T1));
    expect(error.kind).toBe("invalid_argument");
    expect(fieldsOf(error)).toEqual([field]);
  });
});

describe("updateJobOpening", () => {
  it("changes only the given fields and bumps the version, leaving the input alone", () => {
    const o = opening();
    const before = structuredClone(o);
    const changes = { title: " Lead ", headcount: 5, departmentId: DEPT2.toUpperCase() };
    expect(updateJobOpening(o, changes, T1)).toEqual({
      ...before,
      ...{ title: "Lead", headcount: 5, departmentId: DEPT2, version: 4, updateTime: T1 },
    });
    expect(o).toEqual(before);
  });

  it("lists every bad field at once", () => {
    const changes = { title: "", departmentId: "x", headcount: 1001, description: "\u0000" };
    const error = refusal(() => updateJobOpening(opening(), changes, T1));
    expect(fieldsOf(error)).toEqual(["title", "department_id", "headcount", "description"]);
  });

  it.each(["draft", "open", "on_hold"] as const)("updates a %s opening", (status) => {
    expect(updateJobOpening(opening({ status }), { headcount: 9 }, T1)).toMatchObject({ status, headcount: 9 });
  });

  it.each(["closed", "filled"] as const)("refuses a %s opening", (status) => {
    const error = refusal(() => updateJobOpening(opening({ status }), { title: "Again" }, T1));
    expect(error.kind).toBe("failed_precondition");
    expect(error.reason).toBe("JOB_OPENING_CLOSED");
    expect(error.preconditionViolations[0]?.subject).toBe(`job_openings/${ID}`);
    expect(error.message).toContain(status.toUpperCase());
  });
});

describe("the status machine", () => {
  const STATUSES: readonly JobOpeningStatus[] = ["draft", "open", "on_hold", "closed", "filled"];
  // Every command, by the status it moves to.
  const COMMANDS: Record<"open" | "on_hold" | "closed" | "filled", (o: JobOpening) => JobOpening> = {
    open: (o) => openJobOpening(o, T1),
    on_hold: (o) => holdJobOpening(o, T1),
    closed: (o) => closeJobOpening(o, "closed", T1),
    filled: (o) => closeJobOpening(o, "filled", T1),
  };
  const LEGAL = new Set([
    ...["draft→open", "draft→closed"],
    ...["open→on_hold", "open→closed", "open→filled"],
    ...["on_hold→open", "on_hold→closed", "on_hold→filled"],
  ]);
  const pairs = STATUSES.flatMap((from) =>
    (Object.keys(COMMANDS) as (keyof typeof COMMANDS)[]).map((to) => [from, to] as const),
  );

  it("has 8 legal and 12 illegal moves among its 20 pairs", () => {
    expect(pairs).toHaveLength(20);
    expect(pairs.filter(([from, to]) => LEGAL.has(`${from}→${to}`))).toHaveLength(8);
  });

  it.each(pairs.filter(([from, to]) => LEGAL.has(`${from}→${to}`)))("moves %s → %s", (from, to) => {
    const o = opening({ status: from });
    const before = structuredClone(o);
    expect(COMMANDS[to](o)).toEqual({ ...before, status: to, version: 4, updateTime: T1 });
    expect(o).toEqual(before);
  });

  it.each(pairs.filter(([from, to]) => !LEGAL.has(`${from}→${to}`)))("refuses %s → %s", (from, to) => {
    const error = refusal(() => COMMANDS[to](opening({ status: from })));
    expect(error.kind).toBe("failed_precondition");
    expect(error.reason).toBe("ILLEGAL_STATUS_TRANSITION");
    expect(error.preconditionViolations).toEqual([
      { type: "ILLEGAL_STATUS_TRANSITION", subject: `job_openings/${ID}`, description: error.message },
    ]);
    expect(error.message).toContain(`from ${from.toUpperCase()} to ${to.toUpperCase()}`);
  });

  it("explains why a draft cannot be filled", () => {
    const error = refusal(() => closeJobOpening(opening({ status: "draft" }), "filled", T1));
    expect(error.message).toMatch(/draft was never open/);
  });
});
