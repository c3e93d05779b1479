import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Channel } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotificationKind } from "../../generated/proto/hr/notification/v1/notification_service.js";
import {
  CaseState,
  type OnboardingCase,
  Step,
} from "../../generated/proto/hr/onboardingcase/v1/onboarding_case_service.js";
import { LeaveType } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { isListening, waitUntilServing } from "../../runtime/launch/readiness.js";
import { as, type Caller, newTenant, tokenOf } from "../support/callers.js";
import { acceptCandidate, candidateAtOffer } from "../support/candidates.js";
import { freePortBelowEphemeral } from "../support/free-port.js";
import { hire } from "../support/people-with-logins.js";
import { platformDataClients } from "../support/platform-data-clients.js";
import { type PlatformUnderTest, START_TIMEOUT_MS, startPlatform } from "../support/platform-under-test.js";
import { childrenOf } from "../support/process-children.js";

// The onboarding flow on the whole platform as `npm start` runs it (every
// data service with its relay, the onboarding app with its consumer, each a
// process the launcher restarts). First as HR and the new person meet it,
// through the gateway (issue 18, "done means"); then under faults (item 4):
// an accepted candidate becomes an employee with one login, one set of leave
// accounts, a welcome and a "login created" notice, exactly once, while
// - each process in turn is killed with SIGKILL at every step of the flow;
// - PostgreSQL is frozen (SIGSTOP) for 10 s in the middle of it;
// - with NATS_URL set (CI's second run), the flow travels through a NATS
//   server of this file's own, which is killed for 10 s in the middle of it.
// Run alone: npm test -- test/apps/onboarding.platform.test.ts

const OUTAGE_MS = 10_000;
/** How long a case may take to converge after its last fault (restart backoffs, retries). */
const CONVERGE_MS = 60_000;
const THROUGH_NATS = process.env.NATS_URL !== undefined && process.env.NATS_URL !== "";

/** A NATS server with JetStream of this file's own, so stopping it disturbs no other test file. */
class PrivateNats {
  private child: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    private readonly storeDir: string,
  ) {}

  static async start(): Promise<PrivateNats> {
    const nats = new PrivateNats(await freePortBelowEphemeral(), await mkdtemp(path.join(tmpdir(), "hr-faults-nats-")));
    await nats.resume();
    return nats;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Starts the server on its port and store (again, after `kill`: the streams are still there). */
  async resume(): Promise<void> {
    const args = ["-a", "127.0.0.1", "-p", String(this.port), "--jetstream", "--store_dir", this.storeDir];
    this.child = spawn("nats-server", args, { stdio: "ignore" });
    for (let i = 0; !(await isListening(this.port)); i++) {
      if (i > 100 || this.child.exitCode !== null) throw new Error("the private nats-server did not start");
      await sleep(100);
    }
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    await new Promise((resolve) => {
      child.once("exit", resolve);
      child.kill("SIGKILL");
    });
  }

  async stop(): Promise<void> {
    await this.kill();
    await rm(this.storeDir, { recursive: true, force: true });
  }
}

let nats: PrivateNats | undefined;
let platform: PlatformUnderTest;
const channels: Channel[] = [];

beforeAll(async () => {
  if (THROUGH_NATS) nats = await PrivateNats.start();
  platform = await startPlatform(
    {
      // Quick retries, so a case converges within seconds of a process coming back.
      ONBOARDING_POLL_INTERVAL_MS: "200",
      ONBOARDING_RETRY_BASE_MS: "50",
      ONBOARDING_RETRY_MAX_MS: "500",
      EVENTS_RELAY_POLL_INTERVAL_MS: "200",
      EVENTS_RETRY_INITIAL_DELAY_MS: "50",
      EVENTS_RETRY_MAX_DELAY_MS: "500",
      ...(nats && { NATS_URL: nats.url }),
    },
    // Its own PostgreSQL, which one test freezes.
    { embedded: true },
  );
}, START_TIMEOUT_MS + 30_000);

afterAll(async () => {
  for (const channel of channels) channel.close();
  if (platform !== undefined) {
    platform.launcher.process.kill("SIGINT");
    await platform.launcher.exited();
    await platform.cleanUp();
  }
  await nats?.stop();
}, 60_000);

/** Waits until every process serves again (the launcher restarts a killed one after a backoff). */
async function everyProcessServes(): Promise<void> {
  await Promise.all(Object.values(platform.ports).map((port) => waitUntilServing(port, undefined, CONVERGE_MS)));
}

/**
 * Typed clients of the platform's data services, straight to their ports (the
 * edge does not expose them), once every process serves.
 */
async function clients() {
  await everyProcessServes();
  return platformDataClients(platform.ports, channels);
}
type Clients = Awaited<ReturnType<typeof clients>>;

/** One candidate accepted in a tenant of their own; the flow that follows is what the test watches. */
async function acceptedCandidate(c: Clients) {
  const tenantId = newTenant();
  const hr = await as(tenantId, ["hr_admin", "recruiter", "employee"]);
  const managerId = await hire(c, hr, "Margaret");
  const { employee: manager } = await c.employees.getEmployee({ id: managerId }, hr);
  const departmentId = manager?.departmentId ?? "";
  const email = `grace.${randomUUID().slice(0, 8)}@example.com`;
  const { applicationId } = await acceptCandidate(c, hr, { departmentId, email });
  return { tenantId, hr, departmentId, email, applicationId };
}
type Candidate = Awaited<ReturnType<typeof acceptedCandidate>>;

/** The tenant's cases as the cases service has them; undefined while it cannot be asked (killed, frozen). */
async function casesOf(c: Clients, hr: Caller): Promise<OnboardingCase[] | undefined> {
  try {
    const { onboardingCases } = await c.cases.listCases({ pageSize: 50, pageToken: "", states: [] }, hr);
    return onboardingCases;
  } catch {
    return undefined;
  }
}

const employeeIdOf = (onboarding: OnboardingCase | undefined) =>
  onboarding?.steps.find((s) => s.step === Step.STEP_HIRE_EMPLOYEE)?.employeeId ?? "";

/** The person's notification kinds, sorted; undefined while the inbox cannot be asked. */
async function noticesOf(c: Clients, tenantId: string, employeeId: string): Promise<NotificationKind[] | undefined> {
  try {
    const person = await as(tenantId, ["employee"], { employeeId });
    const { notifications } = await c.notifications.listNotifications(
      { pageSize: 200, pageToken: "", unreadOnly: false, orderBy: "" },
      person,
    );
    return notifications.map((n) => n.kind).sort();
  } catch {
    return undefined;
  }
}

const EXPECTED_NOTICES = [NotificationKind.NOTIFICATION_KIND_WELCOME, NotificationKind.NOTIFICATION_KIND_LOGIN_CREATED];

/** Where the flow of `candidate` is: before its case, at a step, or completed with its notices not all there yet. */
async function whereIs(c: Clients, candidate: Candidate): Promise<string | undefined> {
  const cases = await casesOf(c, candidate.hr);
  if (cases === undefined) return undefined;
  const onboarding = cases[0];
  if (onboarding === undefined) return "the application accepted, no case yet";
  if (onboarding.state === CaseState.CASE_STATE_IN_PROGRESS) return `at ${Step[onboarding.currentStep]}`;
  if (onboarding.state !== CaseState.CASE_STATE_COMPLETED) return `ended ${CaseState[onboarding.state]}`;
  const notices = await noticesOf(c, candidate.tenantId, employeeIdOf(onboarding));
  if (notices === undefined) return undefined;
  return notices.length < EXPECTED_NOTICES.length ? "completed, notices on their way" : "done";
}

/** Waits until the flow is done (its case ended, the person told), failing with where it stuck. */
async function converged(c: Clients, candidate: Candidate): Promise<void> {
  const deadline = Date.now() + CONVERGE_MS;
  let where: string | undefined;
  while (Date.now() < deadline) {
    where = await whereIs(c, candidate);
    if (where === "done" || where?.startsWith("ended")) break;
    await sleep(100);
  }
  expect(where, JSON.stringify(await casesOf(c, candidate.hr))).toBe("done");
}

/** One case, one employee, one login linked to it, one set of leave accounts, each notice once. */
async function expectExactlyOnce(candidate: Candidate): Promise<void> {
  // New connections: the test's own to a process it killed may still be backing off.
  const c = await clients();
  const { hr, departmentId, email, applicationId, tenantId } = candidate;
  const cases = (await casesOf(c, hr)) ?? [];
  expect(cases.map((one) => [one.applicationId, one.state])).toEqual([[applicationId, CaseState.CASE_STATE_COMPLETED]]);
  const employeeId = employeeIdOf(cases[0]);
  const { employees } = await c.employees.listEmployees(
    { pageSize: 200, pageToken: "", departmentId, managerId: "", status: 0, managerIds: [] },
    hr,
  );
  expect(employees.filter((e) => e.workEmail === email).map((e) => e.id)).toEqual([employeeId]);
  const { accounts } = await c.accounts.listAccounts(
    { pageSize: 200, pageToken: "", status: 0, role: 0, employeeId },
    hr,
  );
  expect(accounts.map((a) => a.loginName)).toEqual([email]);
  const { leaveAccounts } = await c.leaveAccounts.listLeaveAccounts(
    { pageSize: 200, pageToken: "", employeeId, year: 0, employeeIds: [] },
    hr,
  );
  expect(leaveAccounts.map((a) => a.leaveType)).toEqual([LeaveType.LEAVE_TYPE_ANNUAL]);
  // A duplicate would come from a redelivery after the first: give one the time to arrive.
  await sleep(1_000);
  expect(await noticesOf(c, tenantId, employeeId)).toEqual(EXPECTED_NOTICES);
}

/** SIGKILL of the process group the launcher last started for `service`; answers the pid killed. */
function kill(service: string): number {
  const pid = platform.launcher.pidOf(service);
  if (pid === undefined) throw new Error(`no pid reported for ${service}`);
  process.kill(-pid, "SIGKILL");
  return pid;
}

const PROCESSES = ["talent", "people", "identity", "timeoff", "inbox", "cases", "onboarding"] as const;

/**
 * A POST of JSON through the gateway (the Connect protocol), with a bearer
 * token when given. A 503 ("retry later") is retried after its Retry-After
 * or half a second, as the contract asks of clients: just after a start, the
 * gateway's connection to an app that was not listening yet waits out
 * grpc-js's reconnect backoff.
 */
async function viaGateway(method: string, body: object, token?: string): Promise<Record<string, unknown>> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`http://127.0.0.1:${platform.gatewayPort}/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as Record<string, unknown>;
    if (response.status === 503 && attempt < 5) {
      await sleep(Math.max(500, Number(response.headers.get("retry-after") ?? 0) * 1000));
      continue;
    }
    expect(response.status, JSON.stringify(answer)).toBe(200);
    return answer;
  }
}

describe(`HR through the gateway, on npm start (${THROUGH_NATS ? "NATS JetStream" : "events database"})`, () => {
  it("accepts a candidate; with no other call the person is an employee with leave, a welcome, and a login that signs in", async () => {
    const c = await clients();
    const tenantId = newTenant();
    const recruiter = await as(tenantId, ["recruiter"]);
    const hr = await as(tenantId, ["hr_admin", "employee"]);
    const hrToken = await tokenOf(tenantId, "hr-user", ["hr_admin", "recruiter", "employee"]);
    const managerId = await hire(c, hr, "Margaret");
    const { employee: manager } = await c.employees.getEmployee({ id: managerId }, hr);
    const email = `grace.${randomUUID().slice(0, 8)}@example.com`;
    const offer = await candidateAtOffer(c, recruiter, { departmentId: manager?.departmentId ?? "", email });

    const accept = { requestId: randomUUID(), applicationId: offer.id, etag: offer.etag, note: "welcome aboard" };
    const accepted = await viaGateway("hr.onboarding.v1.OnboardingService/AcceptApplication", accept, hrToken);
    expect(accepted).toMatchObject({ application: { id: offer.id, stage: "APPLICATION_STAGE_HIRED" } });

    type Onboarding = { id: string; applicationId: string; state: string };
    let onboarding: Onboarding | undefined;
    const deadline = Date.now() + CONVERGE_MS;
    while (onboarding?.state !== "CASE_STATE_COMPLETED" && Date.now() < deadline) {
      await sleep(100);
      const page = await viaGateway("hr.onboarding.v1.OnboardingService/ListOnboardings", {}, hrToken);
      onboarding = (page.onboardings as Onboarding[] | undefined)?.find((o) => o.applicationId === offer.id);
    }
    expect(onboarding?.state).toBe("CASE_STATE_COMPLETED");

    const issue = { requestId: randomUUID(), id: onboarding?.id };
    const issued = await viaGateway("hr.onboarding.v1.OnboardingService/IssueFirstPassword", issue, hrToken);
    expect(issued.loginName).toBe(email);
    const login = { tenantId, loginName: email, password: issued.password };
    const signedIn = (await viaGateway("hr.session.v1.SessionService/Login", login)) as {
      tokens: { accessToken: string };
    };
    const person = signedIn.tokens.accessToken;

    const profile = await viaGateway("hr.selfservice.v1.SelfService/GetMyProfile", {}, person);
    expect(profile).toMatchObject({ employee: { givenName: "Grace", familyName: "Hopper", workEmail: email } });
    const leave = await viaGateway("hr.selfservice.v1.SelfService/ListMyLeaveAccounts", {}, person);
    expect((leave.leaveAccounts as { leaveType: string }[]).map((a) => a.leaveType)).toEqual(["LEAVE_TYPE_ANNUAL"]);
    let kinds: string[] = [];
    for (let i = 0; i < 100 && kinds.length < 2; i++) {
      const inbox = await viaGateway("hr.selfservice.v1.SelfService/ListMyNotifications", {}, person);
      kinds = ((inbox.notifications ?? []) as { kind: string }[]).map((n) => n.kind).sort();
      if (kinds.length < 2) await sleep(100);
    }
    expect(kinds).toEqual(["NOTIFICATION_KIND_LOGIN_CREATED", "NOTIFICATION_KIND_WELCOME"]);
  }, 120_000);
});

describe(`the onboarding flow on the whole platform, under faults (${THROUGH_NATS ? "NATS JetStream" : "events database"})`, () => {
  for (const service of PROCESSES) {
    it(`converges, each effect once, when ${service} is killed -9 at every step`, async () => {
      const c = await clients();
      const candidate = await acceptedCandidate(c);
      const killedAt: string[] = [];
      let lastKilled: number | undefined;
      const deadline = Date.now() + CONVERGE_MS;
      for (;;) {
        const where = await whereIs(c, candidate);
        if (where === "done" || where?.startsWith("ended") || Date.now() > deadline) break;
        const pid = platform.launcher.pidOf(service);
        // Once per place in the flow, and only a process that serves (the launcher restarted the last one killed).
        const serving = pid !== lastKilled && pid !== undefined && (await isListening(platform.ports[service]));
        if (where !== undefined && !killedAt.includes(where) && serving) {
          lastKilled = kill(service);
          killedAt.push(where);
        }
        await sleep(5);
      }
      expect(killedAt.length, `killed at: ${killedAt.join("; ")}`).toBeGreaterThan(0);
      await converged(c, candidate);
      await expectExactlyOnce(candidate);
    }, 120_000);
  }

  it("converges, each effect once, when PostgreSQL is frozen for 10 s in the middle of the flow", async () => {
    const c = await clients();
    const candidate = await acceptedCandidate(c);
    // Frozen once the case has started: its steps, the relays and the consumer all wait on the database.
    for (let where = await whereIs(c, candidate); !where?.startsWith("at "); where = await whereIs(c, candidate)) {
      if (where === "done") throw new Error("the flow ended before PostgreSQL could be frozen");
      await sleep(5);
    }
    const postmaster = await platform.postgresPid();
    if (postmaster === undefined) throw new Error("no embedded PostgreSQL to freeze");
    const pids = [postmaster, ...childrenOf(postmaster)];
    for (const pid of pids) process.kill(pid, "SIGSTOP");
    try {
      await sleep(OUTAGE_MS);
    } finally {
      for (const pid of pids) process.kill(pid, "SIGCONT");
    }
    await converged(c, candidate);
    await expectExactlyOnce(candidate);
  }, 120_000);

  it.runIf(THROUGH_NATS)(
    "converges, each effect once, when NATS is down for 10 s in the middle of the flow",
    async () => {
      if (nats === undefined) throw new Error("no private NATS server");
      const c = await clients();
      const candidate = await acceptedCandidate(c);
      // Down once the case has started: the login it creates is announced while NATS is away.
      for (let where = await whereIs(c, candidate); !where?.startsWith("at "); where = await whereIs(c, candidate)) {
        if (where === "done") throw new Error("the flow ended before NATS could be stopped");
        await sleep(5);
      }
      await nats.kill();
      await sleep(OUTAGE_MS);
      await nats.resume();
      await converged(c, candidate);
      await expectExactlyOnce(candidate);
    },
    120_000,
  );
});
