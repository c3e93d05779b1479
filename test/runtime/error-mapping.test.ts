import { type ServerError, Status } from "nice-grpc-common";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { failedPrecondition } from "../../runtime/domain/domain-error.js";
import { errorMapping } from "../../runtime/server/error-mapping.js";

const reasons = new Map([["hr.employee.v1", new Set(["EMPLOYEE_TERMINATED"])]]);
const mapping = errorMapping(pino({ level: "silent" }), "people.hr", reasons);

/** Runs the middleware around a handler that throws `error`; resolves to what reaches the client. */
async function answerTo(error: unknown): Promise<ServerError> {
  const call = {
    method: { path: "/hr.employee.v1.EmployeeService/ActivateEmployee" },
    request: {},
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
    const answer = await answerTo(failedPrecondition("EMPLOYEE_TERMINATED", "employees/1", "terminated"));
    expect(answer.code).toBe(Status.FAILED_PRECONDITION);
    expect(answer.details).toBe("terminated");
  });

  it("answers a reason the contract does not declare as INTERNAL, without leaking it", async () => {
    const answer = await answerTo(failedPrecondition("NOT_IN_THE_CONTRACT", "employees/1", "secret detail"));
    expect(answer.code).toBe(Status.INTERNAL);
    expect(answer.details).toBe("internal error");
  });
});
