import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, newTenant } from "../support/callers.js";
import { type GatewayUnderTest, startGatewayUnderTest } from "../support/gateway-under-test.js";
import { type IdentityUnderTest, startIdentity } from "../support/identity-under-test.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";
import { giveLogin, hire, PASSWORD } from "../support/people-with-logins.js";
import { type SelfServiceUnderTest, startSelfService } from "../support/self-service-under-test.js";
import { startSession } from "../support/session-under-test.js";
import { startTimeoff, type TimeoffUnderTest } from "../support/timeoff-under-test.js";

// The edge gateway in front of real session and self-service servers (and
// the data services they call), driven over HTTP with JSON as curl would.
// Run alone: npm test -- test/apps/gateway.test.ts

const LOGIN = "/hr.session.v1.SessionService/Login";
const MY_PROFILE = "/hr.selfservice.v1.SelfService/GetMyProfile";
const MY_LEAVE = "/hr.selfservice.v1.SelfService/ListMyLeaveAccounts";
const TENANT_CALLS = 5;
const MAX_BODY_BYTES = 4096;

let identity: IdentityUnderTest;
let people: PeopleUnderTest;
let timeoff: TimeoffUnderTest;
let session: Awaited<ReturnType<typeof startSession>>;
let selfService: SelfServiceUnderTest;
let gateway: GatewayUnderTest;
beforeAll(async () => {
  [identity, people, timeoff] = await Promise.all([startIdentity(), startPeople(), startTimeoff()]);
  [session, selfService] = await Promise.all([
    startSession(identity.address),
    startSelfService(people.address, timeoff.address),
  ]);
  gateway = await startGatewayUnderTest(
    {
      "hr.session.v1": `127.0.0.1:${session.server.port}`,
      "hr.selfservice.v1": `127.0.0.1:${selfService.server.port}`,
    },
    {
      GATEWAY_TENANT_LIMIT: String(TENANT_CALLS),
      // Every anonymous call here comes from one address: sign-ins are not what this file limits.
      GATEWAY_CALLER_LIMIT: "1000",
      GATEWAY_LIMIT_WINDOW_SECONDS: "60",
      GATEWAY_MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      // A budget below the 5 ms minimum: the edge answers 504 without calling self-service.
      GATEWAY_METHOD_DEADLINES: `${MY_LEAVE}=1`,
    },
  );
});
afterAll(async () => {
  await gateway?.stop();
  await Promise.all([session?.stop(), selfService?.stop()]);
  await Promise.all([identity?.stop(), people?.stop(), timeoff?.stop()]);
});

/** A tenant with one employee (Ada) who has a login linked to her employee record. */
async function tenantWithAda() {
  const tenantId = newTenant();
  const admin = await as(tenantId);
  const employeeId = await hire(people, admin);
  return { tenantId, loginName: await giveLogin(identity.accounts, admin, employeeId), employeeId };
}

/** Ada signs in through the gateway; answers her access token. */
async function signIn(ada: { tenantId: string; loginName: string }): Promise<string> {
  const response = await gateway.call(LOGIN, { tenantId: ada.tenantId, loginName: ada.loginName, password: PASSWORD });
  expect(response.status).toBe(200);
  const { tokens } = (await response.json()) as { tokens: { accessToken: string } };
  return tokens.accessToken;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("routing from the descriptors", () => {
  it("signs in with JSON and reads the person's own profile with the token it got", async () => {
    const ada = await tenantWithAda();
    const token = await signIn(ada);
    const response = await gateway.call(MY_PROFILE, {}, bearer(token));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ employee: { id: ada.employeeId, givenName: "Ada" } });
  });

  it("answers 404 for a data service's method and for an unknown method", async () => {
    const token = (await as(newTenant())).metadata.get("authorization") ?? "";
    const data = await gateway.call("/hr.employee.v1.EmployeeService/ListEmployees", {}, { authorization: token });
    expect(data.status).toBe(404);
    expect((await gateway.call("/hr.session.v1.SessionService/Impersonate", {})).status).toBe(404);
  });

  it("maps an upstream refusal to its HTTP status with the google.rpc details in the body", async () => {
    const ada = await tenantWithAda();
    const response = await gateway.call(LOGIN, { tenantId: ada.tenantId, loginName: ada.loginName, password: "no" });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { code: string; details?: { type: string }[] };
    expect(body.code).toBe("unauthenticated");
    expect(body.details?.map((detail) => detail.type)).toContain("google.rpc.ErrorInfo");
  });
});

describe("request identity", () => {
  it("returns the client's well-formed request id, and mints one in place of a malformed one", async () => {
    const kept = await gateway.call(LOGIN, {}, { "x-request-id": "checkout-42" });
    expect(kept.headers.get("x-request-id")).toBe("checkout-42");
    const replaced = await gateway.call(LOGIN, {}, { "x-request-id": "bad id\twith spaces" });
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("authentication at the edge", () => {
  it("answers 401 without a token and with a token that is not one", async () => {
    expect((await gateway.call(MY_PROFILE, {})).status).toBe(401);
    expect((await gateway.call(MY_PROFILE, {}, bearer("not.a.token"))).status).toBe(401);
  });

  it("refuses at the edge: a call without a token never reaches the upstream (here down: 503 once past the edge)", async () => {
    const nowhere = await startGatewayUnderTest({ "hr.selfservice.v1": "127.0.0.1:1" });
    try {
      expect((await nowhere.call(MY_PROFILE, {})).status).toBe(401);
      const token = (await as(newTenant())).metadata.get("authorization") ?? "";
      expect((await nowhere.call(MY_PROFILE, {}, { authorization: token })).status).toBe(503);
    } finally {
      await nowhere.stop();
    }
  });
});

describe("bad input", () => {
  it("answers 400 on malformed JSON and on a wrong field type, naming the field", async () => {
    const malformed = await gateway.call(LOGIN, '{"tenantId": ');
    expect(malformed.status).toBe(400);
    const wrongType = await gateway.call(LOGIN, { tenantId: 42, loginName: "ada", password: "x" });
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as { message: string }).message).toContain("tenant_id");
  });

  it("answers 413 for a body over the limit", async () => {
    const response = await gateway.call(LOGIN, { tenantId: "x".repeat(MAX_BODY_BYTES) });
    expect(response.status).toBe(413);
  });
});

describe("deadlines", () => {
  it("answers 504 at once when the method's budget is too short to call upstream", async () => {
    const ada = await tenantWithAda();
    const response = await gateway.call(MY_LEAVE, {}, bearer(await signIn(ada)));
    expect(response.status).toBe(504);
    expect(((await response.json()) as { code: string }).code).toBe("deadline_exceeded");
  });
});

describe("rate limits", () => {
  it("refuses a noisy tenant with 429 and Retry-After while another tenant is still served", async () => {
    const [noisy, quiet] = await Promise.all([tenantWithAda(), tenantWithAda()]);
    const noisyToken = await signIn(noisy);
    const statuses: number[] = [];
    for (let i = 0; i <= TENANT_CALLS; i++)
      statuses.push((await gateway.call(MY_PROFILE, {}, bearer(noisyToken))).status);
    expect(statuses).toEqual([...Array(TENANT_CALLS).fill(200), 429]);
    const refused = await gateway.call(MY_PROFILE, {}, bearer(noisyToken));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    expect((await gateway.call(MY_PROFILE, {}, bearer(await signIn(quiet)))).status).toBe(200);
  });
});
