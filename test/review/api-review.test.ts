import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// `npm run api:review` on real git: a clone of this repository (its committed
// protos), a planted contract change committed in it, and the command run
// there against the clone's previous commit. The command is this tree's
// runtime/review, run with the clone as its working directory.

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSX = join(ROOT, "node_modules", ".bin", "tsx");
const COMMAND = join(ROOT, "runtime", "review", "main.ts");
const EMPLOYEE_PROTO = "proto/hr/employee/v1/employee_service.proto";
const EMPLOYEE_REASONS = "proto/hr/employee/v1/error_reason.proto";
const CONTRACTS_PACKAGE = "packages/contracts/package.json";
const CONTRACTS_CHANGELOG = "packages/contracts/CHANGELOG.md";

let clone: string;

function git(...args: string[]): string {
  return execFileSync("git", args, { cwd: clone, encoding: "utf8" });
}

function apiReview(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(TSX, [COMMAND, ...args], { cwd: clone, encoding: "utf8" });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The clone's packages under packages/ other than the contracts: they follow the contracts' versions. */
function clientPackages(): string[] {
  return readdirSync(join(clone, "packages")).filter((name) => name !== "contracts");
}

/** Moves packages/<name> from version `from` to `to`, with a changelog entry. */
function release(name: string, from: string, to: string, note: string): void {
  edit(`packages/${name}/package.json`, `"version": "${from}"`, `"version": "${to}"`);
  edit(`packages/${name}/CHANGELOG.md`, `## ${from}`, `## ${to}\n\n${note}\n\n## ${from}`);
}

/** Replaces `from`, which must occur exactly once, so the planted change lands where meant. */
function edit(file: string, from: string, to: string): void {
  const path = join(clone, file);
  const text = readFileSync(path, "utf8");
  expect(text.split(from).length - 1, `${file}: ${from}`).toBe(1);
  writeFileSync(path, text.replace(from, to));
}

beforeAll(() => {
  clone = mkdtempSync(join(tmpdir(), "api-review-clone-"));
  execFileSync("git", ["clone", "--quiet", ROOT, clone]);
  git("config", "user.name", "API review test");
  git("config", "user.email", "api-review-test@example.com");
});

afterAll(() => {
  rmSync(clone, { recursive: true, force: true });
});

// Each run of the command builds two descriptor sets and runs buf three times: seconds, more on a loaded machine.
describe("npm run api:review", { timeout: 60_000 }, () => {
  it("reports no contract change for an unchanged tree", () => {
    const run = apiReview("--against", "HEAD", "--fail-on-breaking");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/no contract change/i);
    expect(run.stdout).toMatch(/## 2\. buf breaking against the merge base\n\nnone\n/);
    expect(run.stdout).toMatch(/## 8\. The OpenAPI document \(generated\/openapi\.json\)\n\nunchanged\n$/);
  });

  it("lists each part of a planted change, its callers, and buf breaking's finding", () => {
    // A field removed from HireEmployeeRequest.
    edit(
      EMPLOYEE_PROTO,
      '  // First day of employment, "YYYY-MM-DD".\n  string hire_date = 8;\n}\n\n// Response of HireEmployee.',
      "}\n\n// Response of HireEmployee.",
    );
    // ROLE_EMPLOYEE allowed to hire.
    edit(
      EMPLOYEE_PROTO,
      "(workflow_service).\n    option (hr.auth.v1.authorization) = {\n      allow: [\n        ROLE_HR_ADMIN,\n        ROLE_WORKFLOW_SERVICE\n      ]\n    };\n  }\n\n  // Changes personal",
      "(workflow_service).\n    option (hr.auth.v1.authorization) = {\n      allow: [\n        ROLE_HR_ADMIN,\n        ROLE_EMPLOYEE,\n        ROLE_WORKFLOW_SERVICE\n      ]\n    };\n  }\n\n  // Changes personal",
    );
    // The pii mark dropped from HireEmployeeRequest.work_email.
    edit(
      EMPLOYEE_PROTO,
      "unique within the tenant.\n  string work_email = 4 [(hr.privacy.v1.pii) = true];",
      "unique within the tenant.\n  string work_email = 4;",
    );
    // A new error reason.
    edit(
      EMPLOYEE_REASONS,
      "DEPARTMENT_ARCHIVED = 13;\n}",
      "DEPARTMENT_ARCHIVED = 13;\n  // FAILED_PRECONDITION: planted by the API review test.\n  HIRE_FROZEN = 14;\n}",
    );
    // A comment reworded.
    edit(EMPLOYEE_PROTO, "// Returns one employee, in any status.", "// Returns one employee, whatever its status.");
    git("commit", "--quiet", "-am", "planted contract change");

    const out = join(clone, "build", "api-review.md");
    const written = apiReview("--against", "HEAD~1", "--out", out);
    expect(written.status, written.stderr).toBe(0);
    const report = readFileSync(out, "utf8");

    expect(report).toContain("- **removed** field `hr.employee.v1.HireEmployeeRequest.hire_date`");
    // buf breaking, verbatim.
    expect(report).toMatch(
      /^proto\/hr\/employee\/v1\/employee_service.proto:\d+:\d+:[^\n]*"hire_date"[^\n]*"HireEmployeeRequest" was deleted/m,
    );
    expect(report).toContain("- `/hr.employee.v1.EmployeeService/HireEmployee`");
    expect(report).toContain("ROLE_EMPLOYEE: not allowed → any resource");
    expect(report).toMatch(
      /allow: \[ROLE_HR_ADMIN, ROLE_WORKFLOW_SERVICE\]` → `allow: \[ROLE_HR_ADMIN, ROLE_EMPLOYEE, ROLE_WORKFLOW_SERVICE\]`\n {2}- \*\*loosened\*\*/,
    );
    expect(report).toContain("- `hr.employee.v1.HireEmployeeRequest.work_email`: **pii removed: flagged**");
    expect(report).toContain("- `hr.employee.v1.ErrorReason`: added `HIRE_FROZEN`");
    expect(report).toContain("- **changed** method `hr.employee.v1.EmployeeService.GetEmployee`: comment");
    expect(report).toContain("    > Returns one employee, in any status.");
    expect(report).toContain("    > Returns one employee, whatever its status.");
    // Callers: the onboarding app hires through the generated client.
    const callers = report.slice(report.indexOf("### `/hr.employee.v1.EmployeeService/HireEmployee`"));
    expect(callers).toMatch(/^- apps: [^\n]*`apps\/onboarding\/onboarding-steps\.ts`/m);
    expect(callers).toMatch(/^- tests: [^\n]*`test\//m);

    // Breaking: exit 1 with --fail-on-breaking, and the same report (stable order) on standard output.
    const failing = apiReview("--against", "HEAD~1", "--fail-on-breaking");
    expect(failing.status).toBe(1);
    expect(failing.stdout).toBe(report);
    expect(report).toContain(
      "**Version:** @hr-platform/contracts 1.0.0 (merge base 1.0.0): 1 breaking change(s) under the same major version; move the package to 2.0.0",
    );

    // The major version moved, but no changelog entry yet: still refused.
    edit(CONTRACTS_PACKAGE, '"version": "1.0.0"', '"version": "2.0.0"');
    git("commit", "--quiet", "-am", "contracts 2.0.0");
    const unlogged = apiReview("--against", "HEAD~2", "--fail-on-breaking");
    expect(unlogged.status).toBe(1);
    expect(unlogged.stdout).toContain('packages/contracts/CHANGELOG.md has no "## 2.0.0" entry');
    // With its entry, the breaking change ships as 2.0.0.
    edit(CONTRACTS_CHANGELOG, "## 1.0.0", "## 2.0.0\n\nHireEmployeeRequest.hire_date removed.\n\n## 1.0.0");
    git("commit", "--quiet", "-am", "contracts 2.0.0: changelog");
    const contractsOnly = apiReview("--against", "HEAD~3", "--fail-on-breaking");
    expect(contractsOnly.stdout).toContain("**Version:** @hr-platform/contracts 2.0.0 (merge base 1.0.0): allowed.");
    // The clients generated from the contracts break with them: each needs its major version too.
    expect(clientPackages().length).toBeGreaterThan(0);
    expect(contractsOnly.status).toBe(1);
    expect(contractsOnly.stdout).toContain(
      "**Version:** @hr-platform/client 1.0.0 (merge base 1.0.0): 1 breaking change(s) under the same major version; move the package to 2.0.0",
    );
    for (const name of clientPackages()) release(name, "1.0.0", "2.0.0", "Follows the contracts' 2.0.0.");
    git("commit", "--quiet", "-am", "clients 2.0.0");
    const released = apiReview("--against", "HEAD~4", "--fail-on-breaking");
    expect(released.status, released.stdout).toBe(0);
    expect(released.stdout).toContain("**Version:** @hr-platform/client 2.0.0 (merge base 1.0.0): allowed.");
  });

  it("shows the committed OpenAPI document's change as a diff", () => {
    edit("generated/openapi.json", '"title": "API reference"', '"title": "API reference (planted)"');
    git("commit", "--quiet", "-am", "planted API reference change");
    const run = apiReview("--against", "HEAD~1");
    expect(run.status, run.stderr).toBe(0);
    const section = run.stdout.slice(run.stdout.indexOf("## 8. The OpenAPI document"));
    expect(section).toMatch(/^````?diff\n@@ [^\n]+ @@/m);
    expect(section).toContain('\n-    "title": "API reference",\n+    "title": "API reference (planted)",\n');
    // No temporary folder in the report: two runs give the same bytes.
    expect(apiReview("--against", "HEAD~1").stdout).toBe(run.stdout);
  });

  it("since the release, catches a breaking change spread over commits that HEAD~1 lets pass", () => {
    // The clone's contracts are at 2.0.0 (the test above). A field removed in one commit...
    edit(
      EMPLOYEE_PROTO,
      "stored lower-case.\n  string work_email = 4 [(hr.privacy.v1.pii) = true];\n  // Job title, up to 200 characters; may be empty.\n  string job_title = 5;\n",
      "stored lower-case.\n  string work_email = 4 [(hr.privacy.v1.pii) = true];\n",
    );
    git("commit", "--quiet", "-am", "planted: a field removed");
    // ...then a minor version with its changelog entry in the next: each commit alone looks fine.
    for (const name of ["contracts", ...clientPackages()]) release(name, "2.0.0", "2.1.0", "A minor release.");
    git("commit", "--quiet", "-am", "contracts 2.1.0");
    expect(apiReview("--against", "HEAD~1", "--fail-on-breaking").status).toBe(0);

    // Against the release before (the commit that set 2.0.0): the removal needs 3.0.0.
    const previous = apiReview("--since-previous-release", "--fail-on-breaking");
    expect(previous.status, previous.stdout).toBe(1);
    expect(previous.stdout).toContain("against `the release before @hr-platform/contracts 2.0.0 (");
    expect(previous.stdout).toContain("(merge base 2.0.0): 1 breaking change(s) under the same major version");

    // After the release of 2.1.0, a breaking change under 2.1.0 fails against that release.
    edit(
      EMPLOYEE_PROTO,
      "  rpc GetEmployee(GetEmployeeRequest) returns (GetEmployeeResponse)",
      "  rpc GetEmployeeGone(GetEmployeeRequest) returns (GetEmployeeResponse)",
    );
    git("commit", "--quiet", "-am", "planted: a method renamed");
    const sinceRelease = apiReview("--since-release", "--fail-on-breaking");
    expect(sinceRelease.status, sinceRelease.stdout).toBe(1);
    expect(sinceRelease.stdout).toContain("against `the release of @hr-platform/contracts 2.1.0 (");
    expect(sinceRelease.stdout).toContain("2.1.0 (merge base 2.1.0): 1 breaking change(s)");
  });
});
