import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { SignJWT } from "jose";
import { Status } from "nice-grpc";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, newTenant, testConfig, testSigner } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";

// A validly signed token whose `iat` lies a year ahead used to be accepted
// (the lifetime was checked as exp - iat). A real server now refuses it
// UNAUTHENTICATED with the uniform message, and its log line for the call
// names the stable reason, for operators only.

const lines: { method?: string; code?: string; refusal?: string }[] = [];
const logger = pino(
  { level: "info" },
  new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  }),
);

let people: PeopleUnderTest;
beforeAll(async () => {
  people = await startPeople(testConfig, logger);
});
afterAll(() => people?.stop());

async function tokenIssuedAt(iat: number, exp: number) {
  const tenantId = newTenant();
  const token = await new SignJWT({ tenant_id: tenantId, roles: ["hr_admin"] })
    .setProtectedHeader({ alg: testSigner.alg, kid: testSigner.kid })
    .setSubject("user-1")
    .setIssuer(testConfig.auth.issuer)
    .setAudience(testConfig.auth.audience)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(testSigner.key);
  return bearer(token, tenantId);
}

describe("a validly signed token issued in the future", () => {
  it("is refused UNAUTHENTICATED, and the call's log line says why", async () => {
    const inAYear = Math.floor(Date.now() / 1000) + 365 * 24 * 3_600;
    const caller = await tokenIssuedAt(inAYear, inAYear + 300);
    const error = await expectError(people.employees.getEmployee({ id: randomUUID() }, caller), Status.UNAUTHENTICATED);
    expect(error.message).toBe("the bearer token is not valid");
    const logged = lines.find((line) => line.method === "/hr.employee.v1.EmployeeService/GetEmployee");
    expect(logged).toMatchObject({ code: "UNAUTHENTICATED", refusal: "TOKEN_ISSUED_IN_FUTURE" });
  });

  it("is served when issued now (the baseline)", async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectError(
      people.employees.getEmployee({ id: randomUUID() }, await tokenIssuedAt(now, now + 300)),
      Status.NOT_FOUND,
    );
  });
});
