import { randomUUID } from "node:crypto";
import { Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, newTenant } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { type IdentityUnderTest, startIdentity } from "../support/identity-under-test.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";

// Text PostgreSQL cannot store (a NUL) in a value that is
// matched rather than validated as text (a request id, a typed login name) is
// refused with the field named: never INTERNAL.

let people: PeopleUnderTest;
let identity: IdentityUnderTest;
beforeAll(async () => {
  [people, identity] = await Promise.all([startPeople(), startIdentity()]);
});
afterAll(async () => {
  await Promise.all([people?.stop(), identity?.stop()]);
});

describe("text a database cannot store", () => {
  it("refuses a NUL in a request id with INVALID_ARGUMENT and writes nothing", async () => {
    const acme = await as(newTenant());
    const request = { requestId: "a\u0000b", name: "Ops", code: "OPS" };
    const error = await expectError(people.departments.createDepartment(request, acme), Status.INVALID_ARGUMENT);
    expect(error.fields).toEqual(["request_id"]);
    const page = await people.departments.listDepartments({ pageSize: 10, pageToken: "", includeArchived: true }, acme);
    expect(page.departments).toEqual([]);
  });

  it("refuses a NUL in a login name as INVALID_ARGUMENT, not INTERNAL", async () => {
    const acme = await as(newTenant(), ["session_service"]);
    const error = await expectError(
      identity.accounts.verifyCredentials({ loginName: "ada\u0000@example.com", password: randomUUID() }, acme),
      Status.INVALID_ARGUMENT,
    );
    expect(error.fields).toEqual(["login_name"]);
  });
});
