import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, newTenant } from "../support/callers.js";
import { type GatewayUnderTest, startGatewayUnderTest } from "../support/gateway-under-test.js";
import { type IdentityUnderTest, startIdentity } from "../support/identity-under-test.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";
import { giveLogin, hire, PASSWORD } from "../support/people-with-logins.js";
import { startSession } from "../support/session-under-test.js";

// Password spraying at the edge: many sign-ins, one password, from one
// address, against real session and identity servers. Failed sign-ins are
// counted per client address and tenant, in memory, or in Redis with
// REDIS_URL (as the rate limits are):
//   npm test -- test/apps/gateway-credential-attempts.test.ts
//   REDIS_URL=redis://127.0.0.1:6379 npm test -- test/apps/gateway-credential-attempts.test.ts

const REDIS_URL = process.env.REDIS_URL || undefined;
const LOGIN = "/hr.session.v1.SessionService/Login";
const REFRESH = "/hr.session.v1.SessionService/Refresh";
const FAILURES = 5;
const SPRAY = 30;
/** This run's keys in Redis: apart from any other run's, and removed at the end. */
const KEY_PREFIX = `hr-test:${randomUUID()}`;

let identity: IdentityUnderTest;
let people: PeopleUnderTest;
let session: Awaited<ReturnType<typeof startSession>>;
let gateway: GatewayUnderTest;
beforeAll(async () => {
  [identity, people] = await Promise.all([startIdentity(), startPeople()]);
  session = await startSession(identity.address);
  gateway = await startGatewayUnderTest(
    { "hr.session.v1": `127.0.0.1:${session.server.port}` },
    {
      // The default credential methods (the contracts' public ones: Login, tenant in `tenant_id`; Refresh; Logout), with a small limit.
      GATEWAY_CREDENTIAL_FAILURES: String(FAILURES),
      GATEWAY_CREDENTIAL_WINDOW_SECONDS: "600",
      // Every call here comes from loopback addresses: only failed sign-ins are limited.
      ...{ GATEWAY_ADDRESS_LIMIT: "100000", GATEWAY_CALLER_LIMIT: "100000", GATEWAY_TENANT_LIMIT: "100000" },
      GATEWAY_REDIS_KEY_PREFIX: KEY_PREFIX,
      ...(REDIS_URL === undefined ? {} : { REDIS_URL }),
    },
  );
});
afterAll(async () => {
  await gateway?.stop();
  await session?.stop();
  await Promise.all([identity?.stop(), people?.stop()]);
  if (REDIS_URL !== undefined) {
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${KEY_PREFIX}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
});

/** A tenant with one person who can sign in; `signIn` answers the status of a Login from `address`. */
async function tenantWithPerson(givenName: string) {
  const tenantId = newTenant();
  const admin = await as(tenantId);
  const loginName = await giveLogin(identity.accounts, admin, await hire(people, admin, givenName), givenName);
  return {
    tenantId,
    signIn: async (address: string, password = PASSWORD) =>
      (await gateway.callFrom(address, LOGIN, { tenantId, loginName, password })).status,
  };
}

/** A sprayer's guess: one common password tried on a login name of the tenant's. */
const guess = (tenantId: string, address: string) =>
  gateway.callFrom(address, LOGIN, {
    tenantId,
    loginName: `user-${randomUUID()}@example.com`,
    password: "Winter2026!",
  });

describe(`failed sign-ins per address and tenant (counted ${REDIS_URL === undefined ? "in memory" : "in Redis"})`, () => {
  it("refuses Login from a spraying address for that tenant with 429, unsent, while other tenants and addresses sign in", async () => {
    const [ada, bea] = await Promise.all([tenantWithPerson("Ada"), tenantWithPerson("Bea")]);
    const settled = await Promise.allSettled(Array.from({ length: SPRAY }, () => guess(ada.tenantId, "127.0.0.20")));
    const answers = settled.flatMap((one) => (one.status === "fulfilled" ? [one.value] : []));
    expect(answers).toHaveLength(SPRAY);
    // Only FAILURES guesses reached the session service (which refused them); the rest were refused at the edge.
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(FAILURES);
    expect(statuses.filter((status) => status === 429)).toHaveLength(SPRAY - FAILURES);
    const refused = answers.find((answer) => answer.status === 429) as Response;
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({
      code: "resource_exhausted",
      message: expect.stringContaining("failed sign-ins"),
      details: [
        { type: "google.rpc.ErrorInfo", debug: { reason: "CREDENTIAL_FAILURES_LIMITED", domain: "gateway.hr" } },
      ],
    });

    // Even the right password, from that address for that tenant, waits.
    expect(await ada.signIn("127.0.0.20")).toBe(429);
    // Another tenant's sign-in from the same address, and this tenant's from another address, go on.
    expect(await bea.signIn("127.0.0.20")).toBe(200);
    expect(await ada.signIn("127.0.0.21")).toBe(200);
  });

  it("counts only the attempts that fail UNAUTHENTICATED: signing in rightly costs nothing", async () => {
    const cy = await tenantWithPerson("Cy");
    for (let i = 0; i < FAILURES + 2; i++) expect(await cy.signIn("127.0.0.22")).toBe(200);
    for (let i = 0; i < FAILURES; i++) expect(await cy.signIn("127.0.0.22", "not the password")).toBe(401);
    expect(await cy.signIn("127.0.0.22")).toBe(429);
  });

  it("counts the other public methods too, per address when they name no tenant: guessed refresh tokens", async () => {
    const refresh = () => gateway.callFrom("127.0.0.23", REFRESH, { refreshToken: `guess-${randomUUID()}` });
    for (let i = 0; i < FAILURES; i++) expect((await refresh()).status).toBe(401);
    expect((await refresh()).status).toBe(429);
  });

  it("stops the start on a credential method the contracts lack, or a tenant field that is not a string", async () => {
    const upstreams = { "hr.session.v1": `127.0.0.1:${session.server.port}` };
    await expect(
      startGatewayUnderTest(upstreams, { GATEWAY_CREDENTIAL_METHODS: "/hr.session.v1.SessionService/Nope" }),
    ).rejects.toThrow(/GATEWAY_CREDENTIAL_METHODS: .*Nope is not a method/);
    await expect(startGatewayUnderTest(upstreams, { GATEWAY_CREDENTIAL_METHODS: `${LOGIN}=tenant` })).rejects.toThrow(
      /has no string field tenant/,
    );
  });
});
