import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { declaredReasons } from "../../runtime/server/declared-reasons.js";

// Every ErrorInfo reason a context's code can throw is declared in its proto
// package's ErrorReason enum. Read statically: each reason literal in a
// context's folder (and the resource of each notFound("x"), which answers
// X_NOT_FOUND), plus the reasons runtime/ raises for every context. At run
// time the error mapping refuses an undeclared reason as INTERNAL
// (test/runtime/error-mapping.test.ts), so a miss fails whichever test meets it.

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const declared = declaredReasons(readFileSync(join(ROOT, "generated/descriptor.binpb")));

/** Reasons the shared layer raises in any data-service context: validation and request ids. */
const RUNTIME_REASONS = ["INVALID_ARGUMENT", "REQUEST_ID_REUSED"];
/** Reasons the shared layer raises only in a context that uses the helper named: etags, page tokens. */
const REASONS_OF_HELPERS: Record<string, string> = {
  assertEtag: "ETAG_MISMATCH",
  etagMismatch: "ETAG_MISMATCH",
  decodePageToken: "INVALID_PAGE_TOKEN",
};

function runtimeReasonsOf(source: string): string[] {
  const helpers = Object.entries(REASONS_OF_HELPERS).filter(([helper]) => source.includes(`${helper}(`));
  return [...RUNTIME_REASONS, ...helpers.map(([, reason]) => reason)];
}

/** Each context folder of each data service, with its code and the proto package its handler serves. */
function contextFolders(): { folder: string; pkg: string; source: string }[] {
  const services = join(ROOT, "services");
  return readdirSync(services).flatMap((service) =>
    readdirSync(join(services, service))
      .filter((name) => name !== "prisma" && statSync(join(services, service, name)).isDirectory())
      .map((folder) => {
        const dir = join(services, service, folder);
        const files = readdirSync(dir).filter((file) => file.endsWith(".ts"));
        const source = files.map((file) => readFileSync(join(dir, file), "utf8")).join("\n");
        const served = /generated\/proto\/hr\/([a-z]+)\/(v\d+)\/\w+_service\.js/.exec(source);
        return { folder, pkg: served ? `hr.${served[1]}.${served[2]}` : "(none)", source };
      }),
  );
}

/** The reasons a folder's code names: UPPER_SNAKE string literals and notFound("resource") calls. */
function reasonsIn(source: string): string[] {
  const literals = [...source.matchAll(/"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)"/g)].map((m) => m[1] ?? "");
  const notFound = [...source.matchAll(/notFound\("([a-z_]+)"/g)].map((m) => `${(m[1] ?? "").toUpperCase()}_NOT_FOUND`);
  return [...new Set([...literals, ...notFound])];
}

describe("error reasons in the contract", () => {
  const contexts = contextFolders();

  it("finds every context folder and the package it serves", () => {
    expect(contexts.map((c) => c.pkg).sort()).toEqual(
      ["candidacy", "employee", "identity", "organization", "requisition", "sessionstore", "timeoff"].map(
        (c) => `hr.${c}.v1`,
      ),
    );
  });

  for (const { folder, pkg, source } of contexts) {
    it(`declares every reason the ${folder} folder throws in ${pkg}.ErrorReason`, () => {
      const thrown = [...reasonsIn(source), ...runtimeReasonsOf(source)];
      const missing = thrown.filter((reason) => !declared.get(pkg)?.has(reason));
      expect(missing).toEqual([]);
    });
  }

  it("declares the directory app's own reasons, in each version it serves", () => {
    expect(declared.get("hr.directory.v1")?.has("INVALID_ARGUMENT")).toBe(true);
    expect(declared.get("hr.directory.v2")?.has("INVALID_ARGUMENT")).toBe(true);
  });

  it("declares the self-service app's own reasons", () => {
    const reasons = ["INVALID_ARGUMENT", "EMPLOYEE_LINK_REQUIRED", "NOT_IN_REPORTING_LINE"];
    expect(reasons.filter((reason) => !declared.get("hr.selfservice.v1")?.has(reason))).toEqual([]);
  });

  it("reads a planted reason and a planted notFound, so the scan cannot pass vacuously", () => {
    const planted = `throw failedPrecondition("NOT_IN_ANY_CONTRACT", s, m); notFound("widget", id);`;
    expect(reasonsIn(planted)).toEqual(["NOT_IN_ANY_CONTRACT", "WIDGET_NOT_FOUND"]);
    expect(declared.get("hr.employee.v1")?.has("NOT_IN_ANY_CONTRACT")).toBe(false);
  });
});
