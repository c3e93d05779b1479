import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, newTenant, tokenOf } from "../support/callers.js";
import { startDirectory } from "../support/directory-under-test.js";
import { freePort } from "../support/free-port.js";
import { type GatewayUnderTest, startGatewayUnderTest } from "../support/gateway-under-test.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";

// The gateway's rate limits per tenant and per caller, in front of a real
// directory app and people service. In memory by default; in Redis when
// REDIS_URL is set, which CI does in a second run of this file:
//   npm test -- test/apps/gateway-rate-limits.test.ts
//   REDIS_URL=redis://127.0.0.1:6379 npm test -- test/apps/gateway-rate-limits.test.ts

const REDIS_URL = process.env.REDIS_URL || undefined;
const GET_TEAM = "/hr.directory.v1.DirectoryService/GetTeam";
const TENANT_CALLS = 6;
const CALLER_CALLS = 4;
const WINDOW_SECONDS = 60;
/** This run's keys in Redis: apart from any other run's, and removed at the end. */
const KEY_PREFIX = `hr-test:${randomUUID()}`;

const limitsEnv = (redisUrl = REDIS_URL): Record<string, string> => ({
  GATEWAY_TENANT_LIMIT: String(TENANT_CALLS),
  GATEWAY_CALLER_LIMIT: String(CALLER_CALLS),
  GATEWAY_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
  GATEWAY_REDIS_KEY_PREFIX: KEY_PREFIX,
  ...(redisUrl === undefined ? {} : { REDIS_URL: redisUrl }),
});

let people: PeopleUnderTest;
let directory: Awaited<ReturnType<typeof startDirectory>>;
let upstreams: Record<string, string>;
let gateway: GatewayUnderTest;
beforeAll(async () => {
  people = await startPeople();
  directory = await startDirectory(people.address);
  upstreams = { "hr.directory.v1": `127.0.0.1:${directory.server.port}` };
  gateway = await startGatewayUnderTest(upstreams, limitsEnv());
});
afterAll(async () => {
  await gateway?.stop();
  await directory?.stop();
  await people?.stop();
  if (REDIS_URL !== undefined) {
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${KEY_PREFIX}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
});

/** A tenant with one department, whose employees read its team through the gateway. */
async function tenantWithTeam() {
  const tenantId = newTenant();
  const { department } = await people.departments.createDepartment(
    { requestId: randomUUID(), name: "Company", code: "CO", parentDepartmentId: "", headEmployeeId: "" },
    await as(tenantId),
  );
  return {
    tenantId,
    /** GetTeam through `via` as the employee `userId` of this tenant. */
    async getTeam(userId: string, via: GatewayUnderTest = gateway) {
      const token = await tokenOf(tenantId, userId, ["employee"]);
      return via.call(GET_TEAM, { departmentId: department?.id }, { authorization: `Bearer ${token}` });
    },
  };
}

async function refusal(response: Response) {
  return {
    status: response.status,
    limit: response.headers.get("ratelimit-limit"),
    remaining: response.headers.get("ratelimit-remaining"),
    reset: Number(response.headers.get("ratelimit-reset")),
    retryAfter: Number(response.headers.get("retry-after")),
    body: (await response.json()) as { code: string; message: string },
  };
}

describe(`rate limits (counted ${REDIS_URL === undefined ? "in memory" : "in Redis"})`, () => {
  it("refuses a noisy tenant over its limit with 429 while another tenant keeps getting 200", async () => {
    const [noisy, quiet] = await Promise.all([tenantWithTeam(), tenantWithTeam()]);
    // Two people of the noisy tenant share its calls, each under their own limit.
    const statuses: number[] = [];
    for (let i = 0; i < TENANT_CALLS; i++) statuses.push((await noisy.getTeam(i % 2 === 0 ? "ada" : "grace")).status);
    expect(statuses).toEqual(Array(TENANT_CALLS).fill(200));

    const refused = await refusal(await noisy.getTeam("ada"));
    expect(refused).toMatchObject({ status: 429, limit: String(TENANT_CALLS), remaining: "0" });
    expect(refused.body).toMatchObject({ code: "resource_exhausted", message: expect.stringContaining("tenant") });
    expect(refused.retryAfter).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(refused.reset).toBeGreaterThanOrEqual(1);
    expect(refused.reset).toBeLessThanOrEqual(WINDOW_SECONDS);

    const served = await quiet.getTeam("ada");
    expect(served.status).toBe(200);
    // Its tighter limit is its caller's: 4 calls, 1 spent.
    expect(served.headers.get("ratelimit-limit")).toBe(String(CALLER_CALLS));
    expect(served.headers.get("ratelimit-remaining")).toBe(String(CALLER_CALLS - 1));
  });

  it("refuses a noisy caller over its limit while the others of its tenant are served, and spends none of the tenant's on the refusal", async () => {
    const tenant = await tenantWithTeam();
    const statuses: number[] = [];
    for (let i = 0; i < CALLER_CALLS; i++) statuses.push((await tenant.getTeam("ada")).status);
    expect(statuses).toEqual(Array(CALLER_CALLS).fill(200));
    const refused = await refusal(await tenant.getTeam("ada"));
    expect(refused).toMatchObject({ status: 429, limit: String(CALLER_CALLS), remaining: "0" });
    expect(refused.body.message).toContain("caller");
    expect(refused.retryAfter).toBeGreaterThanOrEqual(1);

    // The tenant has spent 4 of its 6: Grace gets the last two, then the tenant is full.
    expect((await tenant.getTeam("grace")).status).toBe(200);
    expect((await tenant.getTeam("grace")).status).toBe(200);
    expect((await tenant.getTeam("grace")).status).toBe(429);
  });

  it(`makes replicas of the gateway ${REDIS_URL === undefined ? "count each on its own (in memory)" : "share the counts (in Redis)"}`, async () => {
    const replica = await startGatewayUnderTest(upstreams, limitsEnv());
    try {
      const tenant = await tenantWithTeam();
      const statuses: number[] = [];
      // Every call by another person, so only the tenant's limit counts; the replicas take turns.
      for (let i = 0; i <= TENANT_CALLS; i++) {
        statuses.push((await tenant.getTeam(`person-${i}`, i % 2 === 0 ? gateway : replica)).status);
      }
      const last = REDIS_URL === undefined ? 200 : 429;
      expect(statuses).toEqual([...Array(TENANT_CALLS).fill(200), last]);
    } finally {
      await replica.stop();
    }
  });

  it("keeps limiting in memory, and warns, when Redis does not answer: no call fails because of it", async () => {
    const closed = `redis://127.0.0.1:${await freePort()}`;
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const cut = await startGatewayUnderTest(upstreams, limitsEnv(closed), logger);
    try {
      const tenant = await tenantWithTeam();
      const statuses: number[] = [];
      for (let i = 0; i <= TENANT_CALLS; i++) statuses.push((await tenant.getTeam(`person-${i}`, cut)).status);
      expect(statuses).toEqual([...Array(TENANT_CALLS).fill(200), 429]);
      // pino's level 40 is warn.
      expect(lines).toContainEqual(
        expect.objectContaining({ level: 40, msg: expect.stringContaining("Redis does not answer") }),
      );
    } finally {
      await cut.stop();
    }
  });

  it.skipIf(REDIS_URL === undefined)(
    "counts under its own key prefix in Redis, and closes its connection when stopped",
    async () => {
      const redis = new Redis(REDIS_URL ?? "");
      try {
        const connections = async () =>
          new Set(
            String(await redis.client("LIST"))
              .split("\n")
              .filter((line) => / name=hr-gateway /.test(line))
              .map((line) => /^id=(\d+)/.exec(line)?.[1]),
          );
        const before = await connections();
        const own = await startGatewayUnderTest(upstreams, limitsEnv());
        const opened = [...(await connections())].filter((id) => !before.has(id));
        expect(opened.length).toBeGreaterThan(0);

        const tenant = await tenantWithTeam();
        // Another user of the same Redis with a key of the very name the limits count under, unprefixed.
        await redis.set(`tenant/${tenant.tenantId}`, "not the gateway's");
        expect((await tenant.getTeam("ada", own)).status).toBe(200);
        expect(await redis.get(`tenant/${tenant.tenantId}`)).toBe("not the gateway's");
        expect(await redis.keys(`${KEY_PREFIX}:*${tenant.tenantId}*`)).toHaveLength(2);
        await redis.del(`tenant/${tenant.tenantId}`);

        await own.stop();
        const left = await connections();
        expect(opened.filter((id) => left.has(id))).toEqual([]);
      } finally {
        await redis.quit();
      }
    },
  );
});
