import { randomUUID } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Status } from "nice-grpc-common";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CapturedCall } from "../../apps/gateway/capture/capture-line.js";
import { readGatewayConfig } from "../../apps/gateway/gateway-config.js";
import { Role } from "../../generated/proto/hr/identity/v1/account_service.js";
import { LeaveType } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { SCRUBBED } from "../../runtime/privacy/privacy-marks.js";
import { openDepartment } from "../contexts/employee.fixtures.js";
import { as, newTenant } from "../support/callers.js";
import { startDirectory } from "../support/directory-under-test.js";
import { type GatewayUnderTest, runReplay, startGatewayUnderTest } from "../support/gateway-under-test.js";
import { expectError } from "../support/grpc-errors.js";
import { type IdentityUnderTest, startIdentity } from "../support/identity-under-test.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";
import { type SelfServiceUnderTest, startSelfService } from "../support/self-service-under-test.js";
import { startSession } from "../support/session-under-test.js";
import { startTimeoff, type TimeoffUnderTest } from "../support/timeoff-under-test.js";

// Traffic capture at the edge and its replay, against real session and
// self-service servers (and the data services behind them) over HTTP. Every
// personal value below contains "qx7v": none may reach the capture file nor
// any process's log lines, while the file holds the markers in their place.
// Run alone: npm test -- test/apps/gateway-capture.test.ts

const DISTINCT = "qx7v";
const PERSON = {
  givenName: "Zeynep-Qx7v",
  familyName: "Oyelaran-Qx7v",
  workEmail: `zeynep.qx7v.${randomUUID().slice(0, 8)}@example.org`,
  loginName: `z.oyelaran.qx7v.${randomUUID().slice(0, 8)}@example.org`,
  displayName: "Zeynep Qx7v",
  password: "Qx7v correct horse battery staple",
};
const LOGIN = "/hr.session.v1.SessionService/Login";
const MY_PROFILE = "/hr.selfservice.v1.SelfService/GetMyProfile";
const UPDATE_MY_PROFILE = "/hr.selfservice.v1.SelfService/UpdateMyProfile";
const REQUEST_MY_LEAVE = "/hr.selfservice.v1.SelfService/RequestMyLeave";
const MY_LEAVE = "/hr.selfservice.v1.SelfService/ListMyLeaveAccounts";
const MANAGER_CHAIN = "/hr.directory.v1.DirectoryService/GetManagerChain";
const NO_LIMITS = { GATEWAY_TENANT_LIMIT: "1000", GATEWAY_CALLER_LIMIT: "1000" };

/** Every log line of every process of this file, as written. */
const logLines: string[] = [];
const logged = () => pino({ level: "trace" }, { write: (line: string) => logLines.push(line) });

const folder = mkdtempSync(join(tmpdir(), "gateway-capture-"));
const captureFile = join(folder, "captures", "calls.jsonl");
let identity: IdentityUnderTest;
let people: PeopleUnderTest;
let timeoff: TimeoffUnderTest;
let session: Awaited<ReturnType<typeof startSession>>;
let selfService: SelfServiceUnderTest;
let directory: Awaited<ReturnType<typeof startDirectory>>;
let upstreams: Record<string, string>;
let person: { tenantId: string; employeeId: string; leaveAccountId: string };
/** What the edge answered each call of the captured story, in order. */
const answered: { path: string; status: number; requestId: string }[] = [];

beforeAll(async () => {
  [identity, people, timeoff] = await Promise.all([
    startIdentity(undefined, logged()),
    startPeople(undefined, logged()),
    startTimeoff(undefined, logged()),
  ]);
  [session, selfService, directory] = await Promise.all([
    startSession(identity.address, undefined, logged()),
    startSelfService(people.address, timeoff.address, logged()),
    startDirectory(people.address, logged()),
  ]);
  upstreams = {
    "hr.session.v1": `127.0.0.1:${session.server.port}`,
    "hr.selfservice.v1": `127.0.0.1:${selfService.server.port}`,
    // One process serves both versions of the directory's contract.
    "hr.directory.v1": `127.0.0.1:${directory.server.port}`,
    "hr.directory.v2": `127.0.0.1:${directory.server.port}`,
  };
  person = await hirePersonWithLogin();
  const gateway = await startGatewayUnderTest(
    upstreams,
    { ...NO_LIMITS, GATEWAY_CAPTURE_FILE: captureFile, GATEWAY_CAPTURE_SAMPLE: "1" },
    logged(),
  );
  try {
    await captureStory(gateway);
  } finally {
    // Stopping writes what the capture still buffers.
    await gateway.stop();
  }
});
afterAll(async () => {
  await Promise.all([session?.stop(), selfService?.stop(), directory?.stop()]);
  await Promise.all([identity?.stop(), people?.stop(), timeoff?.stop()]);
});

/** An employee with a leave account and a login linked to her record, set up by an administrator. */
async function hirePersonWithLogin() {
  const tenantId = newTenant();
  const admin = await as(tenantId);
  const { employee } = await people.employees.hireEmployee(
    {
      requestId: randomUUID(),
      ...{ givenName: PERSON.givenName, familyName: PERSON.familyName, workEmail: PERSON.workEmail },
      ...{ jobTitle: "Engineer", departmentId: await openDepartment(people, tenantId), managerId: "" },
      hireDate: "2024-01-15",
    },
    admin,
  );
  const employeeId = employee?.id ?? "";
  await identity.accounts.createAccount(
    {
      requestId: randomUUID(),
      ...{ loginName: PERSON.loginName, employeeId, displayName: PERSON.displayName },
      ...{ roles: [Role.ROLE_EMPLOYEE], initialPassword: PERSON.password },
    },
    admin,
  );
  const { leaveAccount } = await timeoff.leaveAccounts.openLeaveAccount(
    {
      requestId: randomUUID(),
      employeeId,
      leaveType: LeaveType.LEAVE_TYPE_ANNUAL,
      year: 2099,
      entitlementHalfDays: 40,
    },
    admin,
  );
  return { tenantId, employeeId, leaveAccountId: leaveAccount?.id ?? "" };
}

/**
 * The captured story: sign-ins (one refused), profile changes (one refused
 * by validation), a leave request with a note, then the reads, last, so
 * that a replay finds the data as they saw it.
 */
async function captureStory(gateway: GatewayUnderTest) {
  const call = async (path: string, body: unknown, token?: string) => {
    const response = await gateway.call(path, body, token ? { authorization: `Bearer ${token}` } : {});
    answered.push({ path, status: response.status, requestId: response.headers.get("x-request-id") ?? "" });
    return response;
  };
  const wrong = { tenantId: person.tenantId, loginName: PERSON.loginName, password: "Qx7v wrong password" };
  expect((await call(LOGIN, wrong)).status).toBe(401);
  const login = await call(LOGIN, {
    tenantId: person.tenantId,
    loginName: PERSON.loginName,
    password: PERSON.password,
  });
  const token = ((await login.json()) as { tokens: { accessToken: string } }).tokens.accessToken;

  const { employee } = await people.employees.getEmployee({ id: person.employeeId }, await as(person.tenantId));
  const rename = {
    requestId: randomUUID(),
    etag: employee?.etag,
    givenName: "Wilhelmina-Qx7v",
    updateMask: "givenName",
  };
  // Refused for its value before its etag is spent; then the same change, valid.
  const invalid = { ...rename, requestId: randomUUID(), givenName: "Bell\u0007Qx7v" };
  expect((await call(UPDATE_MY_PROFILE, invalid, token)).status).toBe(400);
  expect((await call(UPDATE_MY_PROFILE, rename, token)).status).toBe(200);
  const leave = { requestId: randomUUID(), leaveAccountId: person.leaveAccountId, startDate: "2099-03-02" };
  expect(
    (await call(REQUEST_MY_LEAVE, { ...leave, endDate: "2099-03-02", note: "Qx7v knee surgery" }, token)).status,
  ).toBe(200);
  expect((await call(MY_PROFILE, {}, token)).status).toBe(200);
  expect((await call(MY_LEAVE, { year: 2099 }, token)).status).toBe(200);
  expect((await call(MANAGER_CHAIN, { employeeId: person.employeeId }, token)).status).toBe(200);
}

function captured(file = captureFile): CapturedCall[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as CapturedCall);
}

const lineOf = (path: string, status: number) => {
  const found = captured().find((line) => line.path === path && line.status === status);
  if (found === undefined) throw new Error(`no captured ${path} answered ${status}`);
  return found;
};

describe("capture at the edge", () => {
  it("writes one line per call, in order, with its request id, tenant, caller, status and duration", () => {
    const lines = captured();
    expect(lines.map(({ path, status, requestId }) => ({ path, status, requestId }))).toEqual(answered);
    const profile = lineOf(MY_PROFILE, 200);
    expect(profile.tenantId).toBe(person.tenantId);
    expect(profile.userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(profile.time)).toBeGreaterThan(0);
    expect(profile.durationMs).toBeGreaterThan(0);
    // Sign-in is called without a token: no tenant or caller at the edge yet.
    expect(lineOf(LOGIN, 200).tenantId).toBeUndefined();
  });

  it("scrubs personal fields and secrets in requests and responses, and keeps every other field", () => {
    expect(lineOf(LOGIN, 200).request).toEqual({
      tenantId: person.tenantId,
      loginName: SCRUBBED.pii,
      password: SCRUBBED.secret,
    });
    const tokens = (lineOf(LOGIN, 200).response as { tokens: Record<string, string> }).tokens;
    expect(tokens).toMatchObject({ accessToken: SCRUBBED.secret, refreshToken: SCRUBBED.secret });
    expect(Date.parse(tokens.accessTokenExpireTime ?? "")).toBeGreaterThan(Date.now());
    expect(lineOf(MY_PROFILE, 200).response).toMatchObject({
      employee: {
        id: person.employeeId,
        givenName: SCRUBBED.pii,
        familyName: SCRUBBED.pii,
        workEmail: SCRUBBED.pii,
        jobTitle: "Engineer",
        hireDate: "2024-01-15",
      },
    });
    expect(lineOf(REQUEST_MY_LEAVE, 200).request).toMatchObject({ note: SCRUBBED.pii, startDate: "2099-03-02" });
    const accounts = (lineOf(MY_LEAVE, 200).response as { leaveAccounts: { leaveRequests: object[] }[] }).leaveAccounts;
    expect(accounts[0]?.leaveRequests[0]).toMatchObject({ note: SCRUBBED.pii, startDate: "2099-03-02" });
  });

  it("records a refusal with its code and google.rpc details, scrubbed like the rest", () => {
    const refused = lineOf(UPDATE_MY_PROFILE, 400);
    expect(refused.request).toMatchObject({ givenName: SCRUBBED.pii, updateMask: "givenName" });
    expect(refused.error?.code).toBe("invalid_argument");
    expect(refused.error?.details).toContainEqual({
      type: "google.rpc.BadRequest",
      value: { fieldViolations: [expect.objectContaining({ field: "given_name" })] },
    });
    expect(lineOf(LOGIN, 401).error).toMatchObject({
      code: "unauthenticated",
      details: [{ type: "google.rpc.ErrorInfo", value: { reason: "INVALID_CREDENTIALS" } }],
    });
  });

  it("holds no personal value anywhere in the file", () => {
    const file = readFileSync(captureFile, "utf8");
    expect(file).toContain(SCRUBBED.pii);
    expect(file.toLowerCase()).not.toContain(DISTINCT);
  });
});

describe("log lines", () => {
  it("quote no personal value in any process, refusals (an invalid email, a bad name, a wrong password) included", async () => {
    // A data service refuses an invalid email: the value must not reach its log either.
    const refused = await expectError(
      people.employees.hireEmployee(
        {
          requestId: randomUUID(),
          ...{ givenName: "Qx7v", familyName: "Qx7v", workEmail: "qx7v-not-an-email@@example.org" },
          ...{ jobTitle: "", departmentId: randomUUID(), managerId: "", hireDate: "2024-01-15" },
        },
        await as(person.tenantId),
      ),
      Status.INVALID_ARGUMENT,
    );
    expect(refused.fields).toContain("work_email");
    // The logs were written: the access log of the refused update, the data service's line of the refused hire.
    const lines = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ path: UPDATE_MY_PROFILE, status: 400 }));
    expect(lines).toContainEqual(
      expect.objectContaining({ method: "/hr.employee.v1.EmployeeService/HireEmployee", code: "INVALID_ARGUMENT" }),
    );
    expect(logLines.join("").toLowerCase()).not.toContain(DISTINCT);
  });
});

describe("capture limits", () => {
  it("drops and counts lines it cannot buffer, and never fails the calls", async () => {
    const file = join(folder, "tiny-buffer.jsonl");
    const lines: string[] = [];
    const gateway = await startGatewayUnderTest(
      upstreams,
      { ...NO_LIMITS, GATEWAY_CAPTURE_FILE: file, GATEWAY_CAPTURE_BUFFER_BYTES: "1" },
      pino({ level: "warn" }, { write: (line: string) => lines.push(line) }),
    );
    try {
      for (let i = 0; i < 3; i++)
        expect((await gateway.call(LOGIN, { tenantId: "t", loginName: "x" })).status).toBe(400);
    } finally {
      await gateway.stop();
    }
    expect(readFileSync(file, "utf8")).toBe("");
    expect(lines.join("")).toContain("capture is behind: dropping lines");
    expect(lines.map((line) => JSON.parse(line) as { dropped?: number }).find((line) => line.dropped)?.dropped).toBe(3);
  });

  it("creates its file for its own user alone (0600) even under umask 0, and makes an existing readable one 0600", async () => {
    const modeOf = (file: string) => (statSync(file).mode & 0o777).toString(8);
    const fresh = join(folder, "private", "fresh.jsonl");
    const existing = join(folder, "existing.jsonl");
    writeFileSync(existing, "", { mode: 0o644 });
    chmodSync(existing, 0o644);
    const lines: string[] = [];
    const umask = process.umask(0);
    try {
      for (const file of [fresh, existing]) {
        const logger = pino({ level: "warn" }, { write: (line: string) => lines.push(line) });
        const gateway = await startGatewayUnderTest(upstreams, { GATEWAY_CAPTURE_FILE: file }, logger);
        try {
          expect((await gateway.call(LOGIN, { tenantId: "t", loginName: "x" })).status).toBe(400);
        } finally {
          await gateway.stop();
        }
      }
    } finally {
      process.umask(umask);
    }
    expect(modeOf(fresh)).toBe("600");
    expect(modeOf(existing)).toBe("600");
    expect(readFileSync(existing, "utf8")).toContain(LOGIN);
    expect(lines.join("")).toContain("capture file was readable by others: made 0600");
  });

  it("captures no call at a share of 0, and refuses a share outside 0 to 1 or no buffer", async () => {
    const file = join(folder, "sampled-out.jsonl");
    const gateway = await startGatewayUnderTest(upstreams, { GATEWAY_CAPTURE_FILE: file, GATEWAY_CAPTURE_SAMPLE: "0" });
    try {
      expect((await gateway.call(LOGIN, { tenantId: "t", loginName: "x" })).status).toBe(400);
    } finally {
      await gateway.stop();
    }
    expect(readFileSync(file, "utf8")).toBe("");
    expect(() => readGatewayConfig({ GATEWAY_CAPTURE_SAMPLE: "1.5" })).toThrow(/GATEWAY_CAPTURE_SAMPLE/);
    expect(() => readGatewayConfig({ GATEWAY_CAPTURE_BUFFER_BYTES: "0" })).toThrow(/GATEWAY_CAPTURE_BUFFER_BYTES/);
  });
});

// Each replay is a process of its own (tsx compiling the program): slower than one call.
describe("replay", { timeout: 60_000 }, () => {
  let target: GatewayUnderTest;
  const targetLogs: string[] = [];
  beforeAll(async () => {
    // The target: another gateway, without capture, in front of the same servers.
    target = await startGatewayUnderTest(
      upstreams,
      NO_LIMITS,
      pino({ level: "info" }, { write: (line: string) => targetLogs.push(line) }),
    );
  });
  afterAll(() => target?.stop());

  const accessLog = () => targetLogs.map((line) => JSON.parse(line) as { path?: string; requestId?: string });

  it("finds no difference replaying the capture, and sends no call whose request lost a scrubbed field", async () => {
    const { code, output } = await runReplay(
      [captureFile, "--target", target.baseUrl, "--sign-in", `${person.tenantId}:${PERSON.loginName}`],
      { REPLAY_PASSWORD: PERSON.password },
    );
    expect(output).toContain("3 same, 0 different, 5 not replayable, 0 skipped");
    expect(code).toBe(0);
    expect(output).toContain("scrubbed: loginName [scrubbed:pii], password [scrubbed:secret]");
    expect(output.toLowerCase()).not.toContain(DISTINCT);
    // Only the replay's own sign-in reached Login; no update nor leave request was sent.
    const paths = accessLog().map((line) => line.path);
    expect(paths.filter((path) => path === LOGIN)).toHaveLength(1);
    expect(paths).not.toContain(UPDATE_MY_PROFILE);
    expect(paths).not.toContain(REQUEST_MY_LEAVE);
    expect(accessLog().filter((line) => line.requestId?.startsWith("replay:"))).toHaveLength(3);
  });

  it("reports a changed answer and exits non-zero", async () => {
    const mutated = join(folder, "mutated.jsonl");
    const lines = captured().map((line) =>
      line.path === MY_PROFILE
        ? {
            ...line,
            response: { employee: { ...(line.response as { employee: object }).employee, jobTitle: "Captain" } },
          }
        : line,
    );
    writeFileSync(mutated, lines.map((line) => JSON.stringify(line)).join("\n"));
    const token = await signInThrough(target);
    const { code, output } = await runReplay([mutated, "--target", target.baseUrl, "--token", token]);
    expect(output).toContain("2 same, 1 different");
    expect(output).toContain('employee.jobTitle: captured "Captain", now "Engineer"');
    expect(code).toBe(1);
    // Told to ignore that field, the same replay passes.
    expect(
      (await runReplay([mutated, "--target", target.baseUrl, "--token", token, "--ignore", "jobTitle"])).code,
    ).toBe(0);
  });

  it("reports the incompatible change of a new version: the directory's v2 splits the display name", async () => {
    const token = await signInThrough(target);
    const { code, output } = await runReplay([
      captureFile,
      "--target",
      target.baseUrl,
      "--token",
      token,
      "--version",
      "v2",
    ]);
    // Self-service has no v2: its calls replay as captured.
    expect(output).toContain("2 same, 1 different");
    expect(output).toContain("/hr.directory.v2.DirectoryService/GetManagerChain");
    expect(output).toContain('response.employee.displayName: captured "[scrubbed:pii]", now (absent)');
    expect(output).toContain(
      'response.employee.name: captured (absent), now {"givenName":"[scrubbed:pii]","familyName":"[scrubbed:pii]"}',
    );
    expect(output.toLowerCase()).not.toContain(DISTINCT);
    expect(code).toBe(1);
  });

  it("refuses to run without a target", async () => {
    const { code, output } = await runReplay([captureFile]);
    expect(code).toBe(2);
    expect(output).toContain("usage: npm run replay");
  });
});

async function signInThrough(gateway: GatewayUnderTest): Promise<string> {
  const response = await gateway.call(LOGIN, {
    tenantId: person.tenantId,
    loginName: PERSON.loginName,
    password: PERSON.password,
  });
  return ((await response.json()) as { tokens: { accessToken: string } }).tokens.accessToken;
}
