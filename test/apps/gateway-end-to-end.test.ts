import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Channel } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { AccountServiceDefinition } from "../../generated/proto/hr/identity/v1/account_service.js";
import { DepartmentServiceDefinition } from "../../generated/proto/hr/organization/v1/department_service.js";
import { LeaveAccountServiceDefinition, LeaveType } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { openChannel } from "../../runtime/client/service-client.js";
import { repoRoot } from "../../runtime/repo-root.js";
import { as, newTenant } from "../support/callers.js";
import { callGateway } from "../support/gateway-under-test.js";
import { launchChromium, pathsListedOn, skipBrowserTests } from "../support/headless-chromium.js";
import { giveLogin, hire, PASSWORD } from "../support/people-with-logins.js";
import { type PlatformUnderTest, startPlatform } from "../support/platform-under-test.js";
import { testClient } from "../support/service-under-test.js";

// The gateway end to end: every process as `npm start` runs it, driven over
// HTTP through the gateway alone, as a web client would. Only the tenant's
// data is set up another way (administrators' tools call the data services,
// which the edge does not expose). Run alone:
//   npm test -- test/apps/gateway-end-to-end.test.ts

const LOGIN = "/hr.session.v1.SessionService/Login";
const MY_PROFILE = "/hr.selfservice.v1.SelfService/GetMyProfile";
const MY_LEAVE_ACCOUNTS = "/hr.selfservice.v1.SelfService/ListMyLeaveAccounts";
const REQUEST_MY_LEAVE = "/hr.selfservice.v1.SelfService/RequestMyLeave";
/** Version-less: the gateway picks v1 or v2 for the caller's tenant from the versions file. */
const MANAGER_CHAIN = "/hr.directory.DirectoryService/GetManagerChain";
const CALLER_LIMIT = 25;
const BUDGET_MS = 2_000;

let platform: PlatformUnderTest | undefined;
let folder: string;
let versionsFile: string;
let captureFile: string;
const channels: Channel[] = [];
/** A tenant in the v2 cohort from the start. */
const cohortTenant = newTenant();

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "hr-gateway-e2e-"));
  versionsFile = path.join(folder, "versions.json");
  captureFile = path.join(folder, "capture.jsonl");
  await writeVersions({ stable: "v1", candidate: "v2", candidatePercent: 0, candidateTenants: [cohortTenant] });
  platform = await startPlatform({
    GATEWAY_VERSIONS_FILE: versionsFile,
    GATEWAY_VERSIONS_POLL_MS: "100",
    // Small enough to reach in a test; sign-ins (counted per client address) stay well below it.
    GATEWAY_CALLER_LIMIT: String(CALLER_LIMIT),
    GATEWAY_TENANT_LIMIT: "1000",
    GATEWAY_LIMIT_WINDOW_SECONDS: "60",
    // A frozen upstream spends a short budget, and its circuit is tried again soon.
    GATEWAY_DEADLINE_MS: String(BUDGET_MS),
    GATEWAY_BREAKER_FAILURES: "3",
    GATEWAY_BREAKER_HALF_OPEN_MS: "1000",
    // Every call captured, personal fields scrubbed; replayed below.
    GATEWAY_CAPTURE_FILE: captureFile,
  });
}, 180_000);

afterAll(async () => {
  for (const channel of channels) channel.close();
  await platform?.cleanUp();
  await rm(folder, { recursive: true, force: true });
});

/** Replaces the versions file at once (write, then rename), as docs/gateway.md says to. */
async function writeVersions(split: object): Promise<void> {
  const next = `${versionsFile}.next`;
  await writeFile(next, JSON.stringify({ "hr.directory": split }));
  await rename(next, versionsFile);
}

function gateway(): string {
  if (platform === undefined) throw new Error("the platform did not start");
  return `http://127.0.0.1:${platform.gatewayPort}`;
}

/** A call as curl makes it, with the person's access token if any. */
function call(route: string, body: unknown, token?: string): Promise<Response> {
  return callGateway(gateway(), route, body, token ? { authorization: `Bearer ${token}` } : {});
}

function dataClient<D extends Parameters<typeof testClient>[0]>(definition: D, port: number) {
  const channel = openChannel(`127.0.0.1:${port}`);
  channels.push(channel);
  return testClient(definition, channel);
}

/** An HR administrator's set-up: an employee with a manager, a leave account and a login; answers how to sign in. */
async function personWithLogin(tenantId: string, givenName: string) {
  if (platform === undefined) throw new Error("the platform did not start");
  const admin = await as(tenantId);
  const people = {
    departments: dataClient(DepartmentServiceDefinition, platform.ports.people),
    employees: dataClient(EmployeeServiceDefinition, platform.ports.people),
  };
  const employeeId = await hire(people, admin, givenName, await hire(people, admin, "Grace"));
  await dataClient(LeaveAccountServiceDefinition, platform.ports.timeoff).openLeaveAccount(
    {
      requestId: randomUUID(),
      employeeId,
      leaveType: LeaveType.LEAVE_TYPE_ANNUAL,
      year: 2099,
      entitlementHalfDays: 40,
    },
    admin,
  );
  const accounts = dataClient(AccountServiceDefinition, platform.ports.identity);
  return { tenantId, loginName: await giveLogin(accounts, admin, employeeId, givenName), employeeId };
}

/** Signs in through the gateway; answers the access token. */
async function signIn(person: { tenantId: string; loginName: string }): Promise<string> {
  const response = await call(LOGIN, { tenantId: person.tenantId, loginName: person.loginName, password: PASSWORD });
  expect(response.status).toBe(200);
  return ((await response.json()) as { tokens: { accessToken: string } }).tokens.accessToken;
}

describe("the gateway in front of npm start", () => {
  it("signs a person in and serves their self-service story over HTTP/JSON", async () => {
    const ada = await personWithLogin(newTenant(), "Ada");
    const token = await signIn(ada);
    const profile = await call(MY_PROFILE, {}, token);
    expect(profile.status).toBe(200);
    expect(profile.headers.get("x-request-id")).toMatch(/.+/);
    expect(await profile.json()).toMatchObject({ employee: { id: ada.employeeId, givenName: "Ada" } });

    const accounts = (await (await call(MY_LEAVE_ACCOUNTS, {}, token)).json()) as {
      leaveAccounts: { id: string; balanceHalfDays: number }[];
    };
    expect(accounts.leaveAccounts).toHaveLength(1);
    const account = accounts.leaveAccounts[0];
    const ask = {
      requestId: randomUUID(),
      leaveAccountId: account?.id,
      startDate: "2099-03-02",
      endDate: "2099-03-03",
    };
    const requested = await call(REQUEST_MY_LEAVE, ask, token);
    expect(requested.status).toBe(200);
    expect(await requested.json()).toMatchObject({ leaveRequest: { status: "LEAVE_REQUEST_STATUS_PENDING" } });
    // The same request id again is the same request, not a second one.
    const replayed = (await (await call(REQUEST_MY_LEAVE, ask, token)).json()) as {
      leaveAccount: { leaveRequests: unknown[] };
    };
    expect(replayed.leaveAccount.leaveRequests).toHaveLength(1);
  });

  it("answers 429 with Retry-After to a caller over its limit, while another caller is served", async () => {
    const tenantId = newTenant();
    const [noisy, quiet] = [await personWithLogin(tenantId, "Noisy"), await personWithLogin(tenantId, "Quiet")];
    const [noisyToken, quietToken] = [await signIn(noisy), await signIn(quiet)];
    const statuses: number[] = [];
    let refused: Response | undefined;
    while (refused === undefined && statuses.length <= CALLER_LIMIT) {
      const response = await call(MY_PROFILE, {}, noisyToken);
      statuses.push(response.status);
      if (response.status === 429) refused = response;
    }
    expect(statuses.slice(0, -1).every((status) => status === 200)).toBe(true);
    expect(refused?.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(refused?.headers.get("ratelimit-remaining")).toBe("0");
    expect((await call(MY_PROFILE, {}, quietToken)).status).toBe(200);
  });

  it("splits version-less calls by the versions file, and follows a change of it without a restart", async () => {
    const inCohort = await personWithLogin(cohortTenant, "Cora");
    const other = await personWithLogin(newTenant(), "Otto");
    const [cohortToken, otherToken] = [await signIn(inCohort), await signIn(other)];
    const chain = async (person: { employeeId: string }, token: string) => {
      const response = await call(MANAGER_CHAIN, { employeeId: person.employeeId }, token);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { employee: Record<string, unknown> };
      return { version: response.headers.get("x-api-version"), card: body.employee };
    };
    // v2 gives the name in its parts, v1 as one display name: the body says which version answered.
    expect(await chain(inCohort, cohortToken)).toMatchObject({
      version: "v2",
      card: { name: { givenName: "Cora", familyName: "Lovelace" } },
    });
    expect(await chain(other, otherToken)).toMatchObject({ version: "v1", card: { displayName: "Otto Lovelace" } });

    await writeVersions({ stable: "v1", candidate: "v2", candidatePercent: 100 });
    const deadline = Date.now() + 10_000;
    while ((await chain(other, otherToken)).version !== "v2") {
      if (Date.now() > deadline) throw new Error("the new split was not applied");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await chain(other, otherToken)).toMatchObject({ version: "v2", card: { name: { givenName: "Otto" } } });
  });

  it("captures calls with personal fields scrubbed, and a replay of them finds no difference", async () => {
    const quinn = await personWithLogin(newTenant(), "Quinn");
    const token = await signIn(quinn);
    const requestIds: string[] = [];
    for (const [route, body] of [
      [MY_PROFILE, {}],
      [MY_LEAVE_ACCOUNTS, { year: 2099 }],
    ] as const) {
      const response = await call(route, body, token);
      expect(response.status).toBe(200);
      requestIds.push(response.headers.get("x-request-id") ?? "");
    }
    // The gateway writes its lines after answering, asynchronously.
    let captured = "";
    const read = setInterval(async () => {
      captured = await readFile(captureFile, "utf8");
    }, 100);
    try {
      await platform?.until("the capture holds Quinn's calls", () => requestIds.every((id) => captured.includes(id)));
    } finally {
      clearInterval(read);
    }
    expect(captured).toContain('"givenName":"[scrubbed:pii]"');
    expect(captured).toContain('"password":"[scrubbed:secret]"');
    // Every person here is a Lovelace with an example.com login and email.
    expect(captured).not.toMatch(/Lovelace|example\.com|correct horse/);

    const replay = await new Promise<{ code: number; output: string }>((resolve) => {
      const tsx = path.join(repoRoot, "node_modules/.bin/tsx");
      const args = [path.join(repoRoot, "apps/gateway/capture/replay/main.ts"), captureFile, "--target", gateway()];
      args.push("--sign-in", `${quinn.tenantId}:${quinn.loginName}`);
      execFile(tsx, args, { env: { ...process.env, REPLAY_PASSWORD: PASSWORD } }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
      );
    });
    // Quinn's two reads are replayed as Quinn; sign-ins (their password scrubbed) and others' calls are not.
    expect(replay.output).toMatch(/\b2 same, 0 different, \d+ not replayable, \d+ skipped/);
    expect(replay.code).toBe(0);
  }, 60_000);

  it("fails a frozen upstream's routes fast with 503 while the others keep answering, and recovers", async () => {
    if (platform === undefined) throw new Error("the platform did not start");
    const ada = await personWithLogin(newTenant(), "Frieda");
    const token = await signIn(ada);
    const frozen = platform.launcher.pidOf("self-service");
    if (frozen === undefined) throw new Error("no pid for self-service");
    process.kill(frozen, "SIGSTOP");
    try {
      // Calls spend their budget until the circuit opens; then they are refused at once, unsent.
      let open: Response | undefined;
      for (let attempt = 0; attempt < 10 && open === undefined; attempt++) {
        const response = await call(MY_PROFILE, {}, token);
        expect([503, 504]).toContain(response.status);
        const body = (await response.json()) as { details?: { debug?: { reason?: string } }[] };
        if (body.details?.some((detail) => detail.debug?.reason === "UPSTREAM_CIRCUIT_OPEN")) open = response;
      }
      expect(open?.status).toBe(503);
      expect(open?.headers.get("retry-after")).toMatch(/^\d+$/);
      // Session, another upstream, signs people in throughout.
      expect(await signIn(ada)).toMatch(/.+/);
    } finally {
      process.kill(frozen, "SIGCONT");
    }
    const deadline = Date.now() + 15_000;
    while ((await call(MY_PROFILE, {}, token)).status !== 200) {
      if (Date.now() > deadline) throw new Error("self-service's routes did not recover");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }, 60_000);

  it.skipIf(skipBrowserTests())(
    "lists every exposed method on the API reference page, in Chromium",
    async () => {
      const document = (await (await fetch(`${gateway()}/docs/openapi.json`)).json()) as { paths: object };
      const methods = Object.keys(document.paths);
      expect(methods).toContain(LOGIN);
      const browser = await launchChromium();
      try {
        const page = await browser.context.newPage();
        await page.goto(`${gateway()}/docs/`);
        expect(await pathsListedOn(page)).toEqual([...methods].sort());
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});
