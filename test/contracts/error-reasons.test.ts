import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { Status } from "nice-grpc-common";
import { ErrorInfo } from "nice-grpc-error-details";
import { describe, expect, it } from "vitest";
import { ErrorReason as AuthReason } from "../../generated/proto/hr/auth/v1/authorization.js";
import { ErrorReason as EmployeeReason } from "../../generated/proto/hr/employee/v1/error_reason.js";
import { ErrorReason as TimeoffReason } from "../../generated/proto/hr/timeoff/v1/error_reason.js";
import { isApplicationPackage } from "../../runtime/application-contracts.js";
import { failedPrecondition, notFound, RuntimeReason } from "../../runtime/domain/domain-error.js";
import { type AuthorizationReason, authorizationRefusal } from "../../runtime/server/authorization.js";
import { declaredReasons } from "../../runtime/server/declared-reasons.js";

// Every ErrorInfo reason a server sends is declared in its proto package's
// ErrorReason enum. Throw sites take the generated enum's values, so the
// compiler refuses a reason the contract lacks (the checks below that say
// "does not compile" are `tsc --noEmit`'s: an unused @ts-expect-error fails
// it). What the compiler cannot see is checked here against the contract
// itself: the generated values are the declared names, every value says the
// status it comes with, and the reasons the shared runtime raises for any
// context are declared where the contract's methods can meet them. At run
// time the error mapping answers a reason of another package INTERNAL
// (test/runtime/error-mapping.test.ts).

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const descriptorSet = fromBinary(FileDescriptorSetSchema, readFileSync(join(ROOT, "generated/descriptor.binpb")));
const declared = declaredReasons(readFileSync(join(ROOT, "generated/descriptor.binpb")));
const registry = createFileRegistry(descriptorSet);
const STATUS_NAMES = Object.keys(Status).filter((name) => Number.isNaN(Number(name)));

/** Where the runtime raises a reason: for a context's requests (those with `field`, or all), or as a server's own. */
type RaisedFor = { field: string | undefined } | "any server";

/** Each ErrorReason enum of the contracts: its file, package, and each value with the comment above it. */
const reasonEnums = descriptorSet.file.flatMap((file) =>
  file.enumType.flatMap((enumType, e) => {
    if (enumType.name !== "ErrorReason") return [];
    const comments = new Map(
      (file.sourceCodeInfo?.location ?? []).map((at) => [at.path.join("."), at.leadingComments.trim()]),
    );
    const values = enumType.value.map((value, v) => ({ ...value, comment: comments.get(`5.${e}.2.${v}`) ?? "" }));
    return [{ file: file.name, pkg: file.package, values }];
  }),
);

describe("error reasons in the contract", () => {
  it("finds the enums of every context, app and the edge", () => {
    expect(reasonEnums.map((r) => r.pkg).sort()).toEqual(
      [
        "auth",
        "candidacy",
        "directory",
        "directory",
        "employee",
        "gateway",
        "identity",
        "notification",
        "onboarding",
        "onboardingcase",
        "organization",
        "requisition",
        "runtime",
        "selfservice",
        "session",
        "sessionstore",
        "timeoff",
      ].map((name, i, all) => `hr.${name}.v${all.indexOf(name) === i ? 1 : 2}`),
    );
  });

  it("says, above every reason, the status code it comes with", () => {
    const unsaid = reasonEnums.flatMap(({ pkg, values }) =>
      values
        .filter((value) => value.number !== 0)
        .filter((value) => !STATUS_NAMES.some((code) => new RegExp(`^${code}\\b[^\\n]*: \\S`).test(value.comment)))
        .map((value) => `${pkg}.${value.name}`),
    );
    expect(unsaid).toEqual([]);
  });

  it("generates each error_reason.proto's enum with the declared names as its values, which ErrorInfo carries", async () => {
    const files = reasonEnums.filter((r) => r.file.endsWith("/error_reason.proto"));
    expect(files.length).toBeGreaterThanOrEqual(13);
    for (const { file, values } of files) {
      const generated = await import(join(ROOT, "generated/proto", file.replace(/\.proto$/, ".js")));
      const entries = Object.entries(generated.ErrorReason as Record<string, unknown>);
      expect(entries, file).toEqual(values.map((value) => [value.name, value.name]));
    }
  });

  it("declares the runtime's own reasons in hr.runtime.v1, and again in every package whose methods can meet them", () => {
    /**
     * Where the shared runtime raises each of its reasons: for any request of
     * a context (validation), for requests with the field it checks (each
     * such context declares it again), or for any method of any server, as
     * the server's own refusal (declared in hr.runtime.v1 alone). A reason
     * added to hr.runtime.v1 does not compile here until it is placed.
     */
    const raisedFor: Record<Exclude<RuntimeReason, RuntimeReason.ERROR_REASON_UNSPECIFIED>, RaisedFor> = {
      [RuntimeReason.INVALID_ARGUMENT]: { field: undefined },
      [RuntimeReason.REQUEST_ID_REUSED]: { field: "request_id" },
      [RuntimeReason.ETAG_MISMATCH]: { field: "etag" },
      [RuntimeReason.INVALID_PAGE_TOKEN]: { field: "page_token" },
      [RuntimeReason.OVERLOADED]: "any server",
    };
    expect([...(declared.get("hr.runtime.v1") ?? [])].sort()).toEqual(Object.keys(raisedFor).sort());
    const missing: string[] = [];
    for (const file of registry.files) {
      const methods = file.services.flatMap((service) => service.methods);
      if (methods.length === 0) continue;
      for (const [reason, raised] of Object.entries(raisedFor)) {
        if (raised === "any server") {
          if (declared.get(file.proto.package)?.has(reason)) missing.push(`${file.proto.package}.${reason} (twice)`);
          continue;
        }
        // Apps validate their requests; request ids, etags and page tokens are their data services' to check.
        if (isApplicationPackage(file.proto.package) && reason !== RuntimeReason.INVALID_ARGUMENT) continue;
        const { field } = raised;
        const met = methods.some((m) => field === undefined || m.input.fields.some((f) => f.name === field));
        if (met && !declared.get(file.proto.package)?.has(reason)) missing.push(`${file.proto.package}.${reason}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("gives a runtime reason a context declares again the status code hr.runtime.v1 gives it", () => {
    const statusIn = (comment: string) => /^[A-Z_]+/.exec(comment)?.[0];
    const runtime = new Map(
      (reasonEnums.find((r) => r.pkg === "hr.runtime.v1")?.values ?? []).map((v) => [v.name, statusIn(v.comment)]),
    );
    expect(runtime.get(RuntimeReason.ETAG_MISMATCH)).toBe("ABORTED");
    const differing = reasonEnums
      .filter(({ pkg }) => pkg !== "hr.runtime.v1")
      .flatMap(({ pkg, values }) =>
        values
          .filter((value) => value.number !== 0 && runtime.has(value.name))
          .filter((value) => statusIn(value.comment) !== runtime.get(value.name))
          .map((value) => `${pkg}.${value.name}: ${statusIn(value.comment)}`),
      );
    expect(differing).toEqual([]);
  });

  it("sends a generated value as it is: the reason is the declared name, and notFound names its resource after it", () => {
    expect(failedPrecondition(EmployeeReason.EMPLOYEE_NOT_PENDING, "employees/1", "not pending").reason).toBe(
      "EMPLOYEE_NOT_PENDING",
    );
    const missing = notFound(TimeoffReason.LEAVE_REQUEST_NOT_FOUND, "0190");
    expect({ reason: missing.reason, message: missing.message }).toEqual({
      reason: "LEAVE_REQUEST_NOT_FOUND",
      message: "leave_request 0190 not found",
    });
  });

  it("sends hr.auth.v1's reasons, a numeric enum, by their declared names", () => {
    const auth = reasonEnums.find((r) => r.pkg === "hr.auth.v1");
    const sent = (auth?.values ?? [])
      .filter((value) => value.number !== 0)
      .map((value) => {
        const refusal = authorizationRefusal("people.hr", value.number as AuthorizationReason, "refused");
        const info = refusal.extra.find((detail) => detail.$type === ErrorInfo.$type) as ErrorInfo | undefined;
        return [value.name, info?.reason];
      });
    expect(sent).toEqual([
      ["ROLE_REQUIRED", "ROLE_REQUIRED"],
      ["NO_AUTHORIZATION_RULE", "NO_AUTHORIZATION_RULE"],
      ["NOT_OWN_RESOURCE", "NOT_OWN_RESOURCE"],
      ["OWN_RESOURCE_FORBIDDEN", "OWN_RESOURCE_FORBIDDEN"],
    ]);
  });

  it("does not compile a reason that is no generated value (checked by tsc; never run)", () => {
    const refusedByTheCompiler = () => [
      // @ts-expect-error a string literal, even a declared name, is no ErrorReason value
      failedPrecondition("EMPLOYEE_NOT_PENDING", "employees/1", "not pending"),
      // @ts-expect-error nor is a string built at run time
      failedPrecondition(String("NOT_IN_ANY_CONTRACT"), "employees/1", "m"),
      // @ts-expect-error notFound takes a *_NOT_FOUND value, not a resource name
      notFound("employee", "0190"),
      // @ts-expect-error nor another kind of reason
      notFound(EmployeeReason.EMPLOYEE_TERMINATED, "0190"),
      // @ts-expect-error an authorization refusal takes an hr.auth.v1 value, not its name
      authorizationRefusal("people.hr", "ROLE_REQUIRED", "m"),
      // @ts-expect-error nor another package's reason
      authorizationRefusal("people.hr", EmployeeReason.EMPLOYEE_NOT_PENDING, "m"),
      // @ts-expect-error nor the enum's zero, which is never sent
      authorizationRefusal("people.hr", AuthReason.ERROR_REASON_UNSPECIFIED, "m"),
      // @ts-expect-error nor a number the enum does not declare
      authorizationRefusal("people.hr", 9, "m"),
    ];
    expect(typeof refusedByTheCompiler).toBe("function");
  });
});
