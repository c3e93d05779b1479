import { type ServerError, Status } from "nice-grpc-common";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { ErrorReason } from "../../generated/proto/hr/employee/v1/error_reason.js";
import { ErrorReason as IdentityReason } from "../../generated/proto/hr/identity/v1/error_reason.js";
import { failedPrecondition } from "../../runtime/domain/domain-error.js";
import { PrivacyMarks } from "../../runtime/privacy/privacy-marks.js";
import { errorMapping } from "../../runtime/server/error-mapping.js";

const reasons = new Map([["hr.employee.v1", new Set(["EMPLOYEE_TERMINATED"])]]);
const marks = PrivacyMarks.fromDescriptorSet();
const logged: string[] = [];
const logger = pino({ level: "info" }, { write: (line: string) => logged.push(line) });
const mapping = errorMapping(logger, "people.hr", reasons, marks);

/** Runs the middleware around a handler that throws `error`; resolves to what reaches the client. */
async function answerTo(
  error: unknown,
  path = "/hr.employee.v1.EmployeeService/ActivateEmployee",
  request: object = {},
): Promise<ServerError> {
  const call = {
    method: { path },
    request,
    // biome-ignore lint/correctness/useYield: a handler that fails before answering.
    async *next() {
      throw error;
    },
  };
  // biome-ignore lint/suspicious/noExplicitAny: the middleware's call and context types are nice-grpc internals.
  const running = mapping(call as any, {} as any);
  return running.next().then(
    () => Promise.reject(new Error("expected the call to fail")),
    (thrown: ServerError) => thrown,
  );
}

describe("error mapping", () => {
  it("answers a declared reason with its status code and ErrorInfo", async () => {
    const answer = await answerTo(failedPrecondition(ErrorReason.EMPLOYEE_TERMINATED, "employees/1", "terminated"));
    expect(answer.code).toBe(Status.FAILED_PRECONDITION);
    expect(answer.details).toBe("terminated");
  });

  it("answers a reason the method's package does not declare (another package's) as INTERNAL, without leaking it", async () => {
    const answer = await answerTo(failedPrecondition(IdentityReason.ACCOUNT_LOCKED, "employees/1", "secret detail"));
    expect(answer.code).toBe(Status.INTERNAL);
    expect(answer.details).toBe("internal error");
  });

  it("logs an unexpected error without the request's personal values it echoes, nor the row a database quotes", async () => {
    // The shape of a driver error: its message quotes an input (in the case the
    // domain stored it), its DETAIL a stored row.
    const driverError = Object.assign(new Error('invalid input for work_email: "zq7x.private@example.org"'), {
      code: "22P02",
      detail: "Failing row contains (Wójcik-Zq7X, 1990-04-01).",
    });
    logged.length = 0;
    const answer = await answerTo(driverError, "/hr.employee.v1.EmployeeService/HireEmployee", {
      requestId: "5b0e4c0e-0f4a-4a59-9d1f-0d1b7a0e1f2a",
      givenName: "Xenia-Zq7X",
      familyName: "Wójcik-Zq7X",
      workEmail: "Zq7X.Private@Example.org",
    });
    expect(answer.code).toBe(Status.INTERNAL);
    const line = logged.join("");
    expect(line).toContain("unexpected error");
    expect(line).toContain('invalid input for work_email: \\"[scrubbed:pii]\\"');
    expect(line).toContain("22P02");
    expect(line.toLowerCase()).not.toContain("zq7x");
  });
});
