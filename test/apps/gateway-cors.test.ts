import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readGatewayConfig } from "../../apps/gateway/gateway-config.js";
import { as, newTenant, tokenOf } from "../support/callers.js";
import { startDirectory } from "../support/directory-under-test.js";
import { type GatewayUnderTest, startGatewayUnderTest } from "../support/gateway-under-test.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";

// CORS at the edge for browser clients of the configured origins only, in
// front of a real directory app and people service.
// Run alone: npm test -- test/apps/gateway-cors.test.ts

const GET_TEAM = "/hr.directory.v1.DirectoryService/GetTeam";
const APP = "https://hr.example.com";
const OTHER_APP = "http://localhost:5173";
const STRANGER = "https://evil.example.net";

let people: PeopleUnderTest;
let directory: Awaited<ReturnType<typeof startDirectory>>;
let gateway: GatewayUnderTest;
let closed: GatewayUnderTest;
beforeAll(async () => {
  people = await startPeople();
  directory = await startDirectory(people.address);
  const upstreams = { "hr.directory.v1": `127.0.0.1:${directory.server.port}` };
  [gateway, closed] = await Promise.all([
    startGatewayUnderTest(upstreams, { GATEWAY_CORS_ORIGINS: `${APP}, ${OTHER_APP}`, GATEWAY_CALLER_LIMIT: "1" }),
    // No origin configured: the default.
    startGatewayUnderTest(upstreams),
  ]);
});
afterAll(async () => {
  await Promise.all([gateway?.stop(), closed?.stop()]);
  await directory?.stop();
  await people?.stop();
});

/** What a browser asks before a cross-origin JSON call with a token. */
function preflight(via: GatewayUnderTest, origin: string) {
  return fetch(`${via.baseUrl}${GET_TEAM}`, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization,connect-protocol-version,content-type,x-request-id",
    },
  });
}

/** A GetTeam call as a browser script of `origin` makes it, as an employee of a new tenant with one department. */
async function teamCall(via: GatewayUnderTest, origin: string) {
  const tenantId = newTenant();
  const { department } = await people.departments.createDepartment(
    { requestId: randomUUID(), name: "Company", code: "CO", parentDepartmentId: "", headEmployeeId: "" },
    await as(tenantId),
  );
  const headers = {
    origin,
    authorization: `Bearer ${await tokenOf(tenantId, "ada", ["employee"])}`,
    "connect-protocol-version": "1",
  };
  return {
    call: () => via.call(GET_TEAM, { departmentId: department?.id }, headers),
  };
}

const listed = (response: Response, name: string) =>
  (response.headers.get(name) ?? "")
    .toLowerCase()
    .split(",")
    .map((item) => item.trim());

describe("an allowed origin", () => {
  it("gets its preflight answered with the methods and headers a Connect client sends", async () => {
    const response = await preflight(gateway, APP);
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(APP);
    expect(listed(response, "access-control-allow-methods")).toEqual(expect.arrayContaining(["post", "get"]));
    expect(listed(response, "access-control-allow-headers")).toEqual(
      expect.arrayContaining([
        "content-type",
        "connect-protocol-version",
        "connect-timeout-ms",
        "authorization",
        "x-request-id",
      ]),
    );
    expect(Number(response.headers.get("access-control-max-age"))).toBeGreaterThan(0);
    expect(listed(response, "vary")).toContain("origin");
    // Tokens travel in a header: no cookies, so no credentials mode.
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("reads the answer, its request id and rate-limit headers, a 429 and its Retry-After included", async () => {
    const { call } = await teamCall(gateway, OTHER_APP);
    const served = await call();
    expect(served.status).toBe(200);
    expect(served.headers.get("access-control-allow-origin")).toBe(OTHER_APP);
    expect(listed(served, "vary")).toContain("origin");
    expect(listed(served, "access-control-expose-headers")).toEqual(
      expect.arrayContaining([
        "x-request-id",
        "retry-after",
        "ratelimit-limit",
        "ratelimit-remaining",
        "ratelimit-reset",
        "grpc-status-details-bin",
      ]),
    );
    const refused = await call();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("access-control-allow-origin")).toBe(OTHER_APP);
    expect(refused.headers.get("retry-after")).not.toBeNull();
  });
});

describe("an origin not listed", () => {
  it("gets no Access-Control-Allow-Origin on its preflight nor on its calls, so its browser keeps the answer from it", async () => {
    const asked = await preflight(gateway, STRANGER);
    expect(asked.headers.get("access-control-allow-origin")).toBeNull();
    expect(listed(asked, "vary")).toContain("origin");
    const { call } = await teamCall(gateway, STRANGER);
    const response = await call();
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(listed(response, "vary")).toContain("origin");
  });
});

describe("no origin configured (the default)", () => {
  it("answers no CORS header at all, to a preflight or to a call", async () => {
    const asked = await preflight(closed, APP);
    expect([...asked.headers.keys()].filter((name) => name.startsWith("access-control-"))).toEqual([]);
    expect(asked.headers.get("vary")).toBeNull();
    const { call } = await teamCall(closed, APP);
    const response = await call();
    expect(response.status).toBe(200);
    expect([...response.headers.keys()].filter((name) => name.startsWith("access-control-"))).toEqual([]);
  });

  it("refuses to start on a wildcard or on anything that is not an origin", () => {
    for (const origins of ["*", "https://hr.example.com/", "hr.example.com", "ftp://hr.example.com"]) {
      expect(() => readGatewayConfig({ GATEWAY_CORS_ORIGINS: origins }), origins).toThrow(/GATEWAY_CORS_ORIGINS/);
    }
    expect(readGatewayConfig({ GATEWAY_CORS_ORIGINS: `${APP},${OTHER_APP}` }).corsOrigins).toEqual([APP, OTHER_APP]);
  });
});
