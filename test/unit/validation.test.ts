import { describe, expect, it } from "vitest";
import { ErrorReason } from "../../generated/proto/hr/employee/v1/error_reason.js";
import { DomainError } from "../../runtime/domain/domain-error.js";
import { FieldChecks, isIsoDate } from "../../runtime/domain/validation.js";

function violationsOf(run: (c: FieldChecks) => void): string[] {
  const checks = new FieldChecks();
  run(checks);
  return checks.violations.map((v) => v.field);
}

describe("isIsoDate", () => {
  it.each(["2024-02-29", "2025-01-31", "1900-01-01", "2999-12-31", "2000-02-29"])("accepts %s", (d) => {
    expect(isIsoDate(d)).toBe(true);
  });

  it.each([
    "2025-02-29", // not a leap year
    "1900-02-29", // century, not a leap year
    "2025-02-30",
    "2025-04-31",
    "2025-13-01",
    "2025-00-10",
    "2025-01-00",
    "1899-12-31",
    "3000-01-01",
    "2025-1-01",
    "25-01-01",
    "2025/01/01",
    "2025-01-01T00:00:00Z",
    " 2025-01-01",
    "",
    "２０２５-01-01", // full-width digits
  ])("rejects %j", (d) => {
    expect(isIsoDate(d)).toBe(false);
  });
});

describe("FieldChecks.text", () => {
  const limits = { min: 1, max: 5 };

  it("accepts text within the limits, counting code points", () => {
    expect(violationsOf((c) => c.text("name", "abcde", limits))).toEqual([]);
    expect(violationsOf((c) => c.text("name", "😀😀😀😀😀", limits))).toEqual([]); // 10 UTF-16 units
    expect(violationsOf((c) => c.text("name", "", { min: 0, max: 5 }))).toEqual([]);
  });

  it("refuses text that is too long, blank, too short, or has control characters", () => {
    expect(violationsOf((c) => c.text("name", "abcdef", limits))).toEqual(["name"]);
    expect(violationsOf((c) => c.text("name", "x".repeat(10_000), limits))).toEqual(["name"]);
    expect(violationsOf((c) => c.text("name", "", limits))).toEqual(["name"]);
    expect(violationsOf((c) => c.text("name", "   ", limits))).toEqual(["name"]);
    expect(violationsOf((c) => c.text("name", "ab", { min: 3, max: 5 }))).toEqual(["name"]);
    for (const bad of ["a\u0000b", "a\nb", "a\tb", "a\u001fb", "a\u007fb"]) {
      expect(violationsOf((c) => c.text("name", bad, limits))).toEqual(["name"]);
    }
  });

  it("refuses lone surrogates", () => {
    expect(violationsOf((c) => c.text("name", "a\ud800b", limits))).toEqual(["name"]);
    expect(violationsOf((c) => c.text("name", "a\udc00", limits))).toEqual(["name"]);
  });

  it("describes the limit", () => {
    const checks = new FieldChecks();
    checks.text("name", "abcdef", limits);
    expect(checks.violations).toEqual([{ field: "name", description: "must be at most 5 characters" }]);
  });
});

describe("FieldChecks.email", () => {
  it.each(["ada@example.com", "a.b+tag@mail.example.co.uk", "x@y.io"])("accepts %s", (e) => {
    expect(violationsOf((c) => c.email("work_email", e))).toEqual([]);
  });

  it.each([
    "",
    "ada",
    "ada@",
    "@example.com",
    "ada@example",
    "ada@@example.com",
    "a@b@example.com",
    "ada lovelace@example.com",
    "ada@example..com",
    "ada@.example.com",
    "ada@example.com.",
    "ada@exa\u0000mple.com",
    `${"a".repeat(65)}@example.com`,
    `ada@${"d".repeat(250)}.com`,
    `${"a".repeat(10_000)}@example.com`,
  ])("rejects %j", (e) => {
    expect(violationsOf((c) => c.email("work_email", e))).toEqual(["work_email"]);
  });
});

describe("FieldChecks ids", () => {
  const id = "0b7e6c1e-4f7a-4a51-9c52-2f1c0d4e9a10";

  it("accepts canonical UUIDs of either case, and '' where optional", () => {
    expect(violationsOf((c) => c.uuid("department_id", id))).toEqual([]);
    expect(violationsOf((c) => c.uuid("department_id", id.toUpperCase()))).toEqual([]);
    expect(violationsOf((c) => c.optionalUuid("manager_id", ""))).toEqual([]);
    expect(violationsOf((c) => c.optionalUuid("manager_id", id))).toEqual([]);
  });

  it.each(["", "not-a-uuid", id.replaceAll("-", ""), `{${id}}`, `${id} `, id.replace("0", "g"), `${id}0`])(
    "uuid rejects %j",
    (bad) => {
      expect(violationsOf((c) => c.uuid("department_id", bad))).toEqual(["department_id"]);
    },
  );

  it("optionalUuid rejects a malformed id", () => {
    expect(violationsOf((c) => c.optionalUuid("manager_id", "nope"))).toEqual(["manager_id"]);
  });
});

describe("FieldChecks collection", () => {
  it("keeps only the first violation per field, in order", () => {
    const checks = new FieldChecks();
    expect(checks.check("b", false, "first")).toBe(false);
    checks.check("a", false, "only");
    checks.check("b", false, "second");
    expect(checks.check("c", true, "fine")).toBe(true);
    expect(checks.violations).toEqual([
      { field: "b", description: "first" },
      { field: "a", description: "only" },
    ]);
  });

  it("throws nothing when all fields are fine", () => {
    const checks = new FieldChecks();
    checks.isoDate("hire_date", "2025-01-01");
    expect(() => checks.throwIfAny()).not.toThrow();
  });

  it("throws one INVALID_ARGUMENT listing every bad field", () => {
    const checks = new FieldChecks();
    checks.isoDate("hire_date", "2025-02-30");
    checks.email("work_email", "nope");
    checks.uuid("department_id", "");
    let error: unknown;
    try {
      checks.throwIfAny();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    const domainError = error as DomainError;
    expect(domainError.kind).toBe("invalid_argument");
    expect(domainError.reason).toBe("INVALID_ARGUMENT");
    expect(domainError.fieldViolations.map((v) => v.field)).toEqual(["hire_date", "work_email", "department_id"]);
  });

  it("throws with a custom reason", () => {
    const checks = new FieldChecks();
    checks.check("manager_id", false, "nope");
    expect(() => checks.throwIfAny(ErrorReason.SELF_MANAGEMENT)).toThrow(
      expect.objectContaining({ reason: "SELF_MANAGEMENT" }),
    );
  });
});

describe("FieldChecks never quote a value", () => {
  // Refusals reach error messages, BadRequest details and log lines: a
  // refused email or name must not travel in them (the value may be personal).
  it("describes every refusal without the refused value", () => {
    // Each value fails the check's last, most specific rule.
    const checks = new FieldChecks();
    checks.text("given_name", "Qx7v\u0007", { min: 1, max: 100 });
    checks.text("family_name", "Qx7v".repeat(30), { min: 1, max: 100 });
    checks.email("work_email", "qx7v@@example.org");
    checks.isoDate("hire_date", "qx7v-01-01");
    checks.uuid("manager_id", "qx7v");
    checks.storable("login_name", "qx7v\u0000");
    expect(checks.violations).toHaveLength(6);
    const error = (() => {
      try {
        checks.throwIfAny();
      } catch (refusal) {
        return refusal as DomainError;
      }
    })();
    const said = JSON.stringify([error?.message, checks.violations]);
    expect(said).toContain("work_email");
    expect(said.toLowerCase()).not.toContain("qx7v");
  });
});
