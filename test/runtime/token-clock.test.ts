import { randomUUID } from "node:crypto";
import { Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testConfig } from "../support/callers.js";
import { capturedLogs } from "../support/captured-logs.js";
import { expectError } from "../support/grpc-errors.js";
import { handSignedToken } from "../support/hand-signed-tokens.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";

// A validly signed token whose `iat` lies a year ahead used to be accepted
// (the lifetime was checked as exp - iat). A real server now refuses it
// UNAUTHENTICATED with the uniform message, and its log line for the call
// names the stable reason, for operators only.

const { logger, lines } = capturedLogs<{ method?: string; code?: string; refusal?: string }>();

let people: PeopleUnderTest;
beforeAll(async () => {
  people = await startPeople(testConfig, logger);
});
afterAll(() => people?.stop());

describe("a validly signed token issued in the future", () => {
  it("is refused UNAUTHENTICATED, and the call's log line says why", async () => {
    const inAYear = Math.floor(Date.now() / 1000) + 365 * 24 * 3_600;
    const caller = await handSignedToken({ iat: inAYear });
    const error = await expectError(people.employees.getEmployee({ id: randomUUID() }, caller), Status.UNAUTHENTICATED);
    expect(error.message).toBe("the bearer token is not valid");
    const logged = lines.find((line) => line.method === "/hr.employee.v1.EmployeeService/GetEmployee");
    expect(logged).toMatchObject({ code: "UNAUTHENTICATED", refusal: "TOKEN_ISSUED_IN_FUTURE" });
  });

  it("is served when issued now (the baseline)", async () => {
    await expectError(people.employees.getEmployee({ id: randomUUID() }, await handSignedToken()), Status.NOT_FOUND);
  });
});
