import { randomUUID } from "node:crypto";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bucketOf } from "../../apps/gateway/versions/version-split.js";
import { as, newTenant } from "../support/callers.js";
import { startDirectory } from "../support/directory-under-test.js";
import { type GatewayUnderTest, startGatewayUnderTest } from "../support/gateway-under-test.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";
import { hire } from "../support/people-with-logins.js";

// Versions side by side at the edge: the directory app serving hr.directory.v1
// and v2 on one port, a real people service behind it, and the gateway in
// front, driven over HTTP as curl would. A version-less path is split between
// the versions by the versions file, which the tests rewrite while the
// gateway runs. Run alone: npm test -- test/apps/gateway-versions.test.ts

const CHAIN = "/hr.directory.DirectoryService/GetManagerChain";
const CHAIN_V1 = "/hr.directory.v1.DirectoryService/GetManagerChain";
const CHAIN_V2 = "/hr.directory.v2.DirectoryService/GetManagerChain";
const TENANTS = 40;

/** One tenant with one employee, Ada Lovelace, and a token of its administrator. */
interface Fixture {
  tenantId: string;
  authorization: string;
  employeeId: string;
}

let people: PeopleUnderTest;
let directory: Awaited<ReturnType<typeof startDirectory>>;
let upstreams: Record<string, string>;
let gateway: GatewayUnderTest;
let fixtures: Fixture[];
const logs: Record<string, unknown>[] = [];
const folder = mkdtempSync(join(tmpdir(), "gateway-versions-"));
const versionsFile = join(folder, "versions.json");

/** Replaces the versions file as an operator should: a new file renamed over the old one. */
function writeVersions(content: unknown): void {
  const next = join(folder, `next-${randomUUID()}.json`);
  writeFileSync(next, typeof content === "string" ? content : JSON.stringify(content));
  renameSync(next, versionsFile);
}

async function until(done: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`gave up waiting: ${what}`);
}

const logged = (message: string) => logs.filter((line) => line.msg === message).length;

/** Writes the file and waits until the gateway has taken it in ("changed") or refused it ("rejected"). */
async function route(content: unknown, outcome: "changed" | "rejected" = "changed"): Promise<void> {
  const message =
    outcome === "changed" ? "version routing changed" : "versions file rejected: the last good routing stays";
  const before = logged(message);
  writeVersions(content);
  await until(() => logged(message) > before, `the gateway to log "${message}"`);
}

const split = (candidatePercent: number, candidateTenants: string[] = []) => ({
  "hr.directory": { stable: "v1", candidate: "v2", candidatePercent, candidateTenants },
});

async function fixture(): Promise<Fixture> {
  const tenantId = newTenant();
  const admin = await as(tenantId);
  const employeeId = await hire(people, admin);
  return { tenantId, authorization: admin.metadata.get("authorization") ?? "", employeeId };
}

/**
 * Calls the manager chain of the tenant's Ada through `via` and answers the
 * version that served it: the `x-api-version` header, checked against the
 * body's shape, which only that version's handler gives.
 */
async function servedBy(who: Fixture, path = CHAIN, via: GatewayUnderTest = gateway): Promise<string> {
  const response = await via.call(path, { employeeId: who.employeeId }, { authorization: who.authorization });
  expect(response.status).toBe(200);
  const version = response.headers.get("x-api-version");
  const { employee } = (await response.json()) as { employee: Record<string, unknown> };
  if (version === "v1") expect(employee).toMatchObject({ displayName: "Ada Lovelace", id: who.employeeId });
  else if (version === "v2") expect(employee).toMatchObject({ name: { givenName: "Ada", familyName: "Lovelace" } });
  else throw new Error(`answered by version ${version}`);
  expect(employee).not.toHaveProperty(version === "v1" ? "name" : "displayName");
  return version;
}

beforeAll(async () => {
  writeVersions(split(0));
  people = await startPeople();
  directory = await startDirectory(people.address);
  const target = `127.0.0.1:${directory.server.port}`;
  upstreams = { "hr.directory.v1": target, "hr.directory.v2": target };
  const logger = pino({ level: "info" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  gateway = await startGatewayUnderTest(
    upstreams,
    { GATEWAY_VERSIONS_FILE: versionsFile, GATEWAY_VERSIONS_POLL_MS: "20", GATEWAY_CALLER_LIMIT: "10000" },
    logger,
  );
  fixtures = await Promise.all(Array.from({ length: TENANTS }, fixture));
}, 60_000);
afterAll(async () => {
  await gateway?.stop();
  await directory?.stop();
  await people?.stop();
  rmSync(folder, { recursive: true, force: true });
});

describe("a version asked for explicitly", () => {
  it("is served as asked, v1 and v2 side by side, whatever the split", async () => {
    await route(split(100));
    const [ada] = fixtures;
    expect(await servedBy(ada!, CHAIN_V1)).toBe("v1");
    expect(await servedBy(ada!, CHAIN_V2)).toBe("v2");
    await route(split(0));
    expect(await servedBy(ada!, CHAIN_V2)).toBe("v2");
  });

  it("answers 404 for a version not served, a family not exposed, a method no version has and a data service", async () => {
    const [ada] = fixtures;
    for (const path of [
      "/hr.directory.v3.DirectoryService/GetManagerChain",
      "/hr.payroll.PayrollService/GetPayslip",
      "/hr.directory.DirectoryService/GetOrgChart",
      "/hr.employee.EmployeeService/GetEmployee",
    ]) {
      const response = await gateway.call(path, { employeeId: ada!.employeeId }, { authorization: ada!.authorization });
      expect([path, response.status]).toEqual([path, 404]);
      expect(response.headers.get("x-api-version")).toBeNull();
    }
  });
});

describe("a version-less path, split by the versions file", () => {
  it("goes to the stable version at 0 % and to the candidate at 100 %", async () => {
    await route(split(0));
    for (const who of fixtures.slice(0, 10)) expect(await servedBy(who)).toBe("v1");
    await route(split(100));
    for (const who of fixtures.slice(0, 10)) expect(await servedBy(who)).toBe("v2");
  });

  it("sends a cohort tenant to the candidate while the others stay on the stable version", async () => {
    const [early, ...others] = fixtures.slice(0, 6);
    await route(split(0, [early!.tenantId]));
    expect(await servedBy(early!)).toBe("v2");
    for (const who of others) expect(await servedBy(who)).toBe("v1");
  });

  it("splits tenants at 50 %, each one sticky, by the hash of family, candidate and tenant", async () => {
    await route(split(50));
    const seen = new Map<string, string>();
    for (let round = 0; round < 3; round++) {
      for (const who of fixtures) {
        const version = await servedBy(who);
        expect(version, `tenant ${who.tenantId} moved`).toBe(seen.get(who.tenantId) ?? version);
        seen.set(who.tenantId, version);
      }
    }
    expect(new Set(seen.values())).toEqual(new Set(["v1", "v2"]));
    for (const [tenantId, version] of seen) {
      expect(version).toBe(bucketOf("hr.directory", "v2", tenantId) < 5000 ? "v2" : "v1");
    }
  });

  it("sends a call without a tenant to the stable version (here refused 401: the method needs a token)", async () => {
    await route(split(100));
    for (const headers of [{}, { authorization: "Bearer not.a.token" }] as Record<string, string>[]) {
      const response = await gateway.call(CHAIN, { employeeId: fixtures[0]!.employeeId }, headers);
      expect(response.status).toBe(401);
      expect(response.headers.get("x-api-version")).toBe("v1");
    }
  });

  it("follows a rewritten file without a restart", async () => {
    const [ada] = fixtures;
    await route(split(0));
    expect(await servedBy(ada!)).toBe("v1");
    writeVersions(split(0, [ada!.tenantId]));
    await until(async () => (await servedBy(ada!)) === "v2", "the new split to reach the calls");
  });

  it("keeps the last good routing when the file turns invalid, and follows it again once fixed", async () => {
    await route(split(100));
    const invalid = [
      '{"hr.directory": ',
      { "hr.directory": { stable: "v1", candidate: "v9", candidatePercent: 100 } },
      { "hr.directory": { stable: "v1", candidate: "v2", candidatPercent: 0 } },
    ];
    for (const content of invalid) {
      await route(content, "rejected");
      for (const who of fixtures.slice(0, 5)) expect(await servedBy(who)).toBe("v2");
    }
    const rejection = logs.findLast((line) => line.msg === "versions file rejected: the last good routing stays");
    expect(rejection).toMatchObject({
      level: 50,
      file: versionsFile,
      problem: expect.stringContaining("candidatPercent"),
    });
    await route(split(0));
    expect(await servedBy(fixtures[0]!)).toBe("v1");
  });

  it("logs each call with the path as asked and the version that served it", async () => {
    const [ada] = fixtures;
    await route(split(0, [ada!.tenantId]));
    const requestId = `versions-${randomUUID()}`;
    const response = await gateway.call(
      CHAIN,
      { employeeId: ada!.employeeId },
      { authorization: ada!.authorization, "x-request-id": requestId },
    );
    expect(response.status).toBe(200);
    await until(() => logs.some((line) => line.requestId === requestId), "the access-log line");
    expect(logs.find((line) => line.requestId === requestId)).toMatchObject({
      path: CHAIN,
      apiVersion: "v2",
      status: 200,
      tenantId: ada!.tenantId,
    });
  });
});

describe("without a versions file", () => {
  it("sends a version-less call to the family's oldest version, though a newer one is served", async () => {
    const plain = await startGatewayUnderTest(upstreams);
    try {
      expect(await servedBy(fixtures[0]!, CHAIN, plain)).toBe("v1");
      expect(await servedBy(fixtures[0]!, CHAIN_V2, plain)).toBe("v2");
    } finally {
      await plain.stop();
    }
  });

  it("refuses to start on a versions file naming a version it does not route", async () => {
    const file = join(folder, "wrong.json");
    writeFileSync(file, JSON.stringify({ "hr.directory": { stable: "v7" } }));
    await expect(startGatewayUnderTest(upstreams, { GATEWAY_VERSIONS_FILE: file })).rejects.toThrow(
      /GATEWAY_VERSIONS_FILE .*wrong\.json: hr\.directory: routed versions are v1, v2/,
    );
  });
});
