import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, newTenant, tokenOf } from "../support/callers.js";
import { startDirectory } from "../support/directory-under-test.js";
import { type GatewayUnderTest, startGatewayUnderTest } from "../support/gateway-under-test.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";

// Bad input at the edge: what a client gets for a body that does not decode,
// for an upstream's refusal of a field, for a call it may not make and for a
// method that is not there, in front of a real directory app and people
// service, over HTTP as curl calls it.
// Run alone: npm test -- test/apps/gateway-bad-input.test.ts

const GET_TEAM = "/hr.directory.v1.DirectoryService/GetTeam";

let people: PeopleUnderTest;
let directory: Awaited<ReturnType<typeof startDirectory>>;
let gateway: GatewayUnderTest;
beforeAll(async () => {
  people = await startPeople();
  directory = await startDirectory(people.address);
  gateway = await startGatewayUnderTest({ "hr.directory.v1": `127.0.0.1:${directory.server.port}` });
});
afterAll(async () => {
  await gateway?.stop();
  await directory?.stop();
  await people?.stop();
});

/** An employee's token in a tenant with one department. */
async function employee(roles: readonly string[] = ["employee"]) {
  const tenantId = newTenant();
  const { department } = await people.departments.createDepartment(
    { requestId: randomUUID(), name: "Company", code: "CO", parentDepartmentId: "", headEmployeeId: "" },
    await as(tenantId),
  );
  const token = await tokenOf(tenantId, "ada", roles);
  return { headers: { authorization: `Bearer ${token}` }, departmentId: department?.id ?? "" };
}

/** A Connect error body: code, message, and each google.rpc detail with its decoded form in `debug`. */
interface ErrorBody {
  code: string;
  message: string;
  details?: { type: string; value: string; debug?: Record<string, unknown> }[];
}

const debugOf = (body: ErrorBody, type: string) => body.details?.find((detail) => detail.type === type)?.debug;

describe("a body that does not decode is 400 before any upstream sees it", () => {
  it("malformed JSON", async () => {
    const { headers } = await employee();
    const response = await gateway.call(GET_TEAM, '{"departmentId": ', headers);
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.code).toBe("invalid_argument");
    expect(body.message).toContain("JSON");
  });

  it("a wrong field type, naming the field in the message and in a google.rpc.BadRequest", async () => {
    const { headers } = await employee();
    const response = await gateway.call(GET_TEAM, { departmentId: 42 }, headers);
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.message).toContain("department_id");
    expect(debugOf(body, "google.rpc.BadRequest")).toEqual({
      fieldViolations: [{ field: "department_id", description: "expected string, got 42" }],
    });
  });

  it("a key the contract does not have (a typo is not dropped silently)", async () => {
    const { headers, departmentId } = await employee();
    const response = await gateway.call(GET_TEAM, { departmentID: departmentId }, headers);
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).message).toContain('key "departmentID" is unknown');
  });

  it("a binary body that is not the method's message (Connect alone says 500)", async () => {
    const { headers } = await employee();
    const response = await fetch(`${gateway.baseUrl}${GET_TEAM}`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/proto" },
      body: new Uint8Array([0x0a, 0x7f, 0x01]),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).code).toBe("invalid_argument");
  });

  it("a body in a format the edge does not read is 415", async () => {
    const { headers } = await employee();
    const response = await fetch(`${gateway.baseUrl}${GET_TEAM}`, {
      method: "POST",
      headers: { ...headers, "content-type": "text/plain" },
      body: "departmentId=1",
    });
    expect(response.status).toBe(415);
  });

  it("a well-formed body still reaches the upstream and is answered", async () => {
    const { headers, departmentId } = await employee();
    const response = await gateway.call(GET_TEAM, { departmentId }, headers);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ department: { id: departmentId } });
  });
});

describe("an upstream's refusal keeps its status and its google.rpc details, readable by a person", () => {
  it("INVALID_ARGUMENT is 400 with the field violations decoded in `debug`", async () => {
    const { headers } = await employee();
    const response = await gateway.call(GET_TEAM, { departmentId: "" }, headers);
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.code).toBe("invalid_argument");
    expect(debugOf(body, "google.rpc.BadRequest")).toEqual({
      fieldViolations: [{ field: "department_id", description: "is required" }],
    });
    expect(debugOf(body, "google.rpc.ErrorInfo")).toMatchObject({ reason: "INVALID_ARGUMENT" });
    // The bytes are there too, for typed clients.
    expect(body.details?.every((detail) => detail.value.length > 0)).toBe(true);
  });

  it("a call the caller's roles do not allow is 403, with the reason", async () => {
    const { headers, departmentId } = await employee([]);
    const response = await gateway.call(GET_TEAM, { departmentId }, headers);
    expect(response.status).toBe(403);
    const body = (await response.json()) as ErrorBody;
    expect(body.code).toBe("permission_denied");
    expect(debugOf(body, "google.rpc.ErrorInfo")).toMatchObject({ reason: "ROLE_REQUIRED" });
  });
});

describe("a method that is not there", () => {
  it.each([
    ["an unknown method", "/hr.directory.v1.DirectoryService/GetEveryone"],
    ["an unknown service", "/hr.payroll.v1.PayrollService/GetPayslip"],
    ["an unknown version", "/hr.directory.v9.DirectoryService/GetTeam"],
    ["a data service's method", "/hr.organization.v1.DepartmentService/GetDepartment"],
  ])("is 404 for %s, with a body saying so", async (_, path) => {
    const { headers } = await employee();
    const response = await gateway.call(path, {}, headers);
    expect(response.status).toBe(404);
    const body = (await response.json()) as ErrorBody;
    expect(body.code).toBe("unimplemented");
    expect(body.message).toContain(path);
  });
});
