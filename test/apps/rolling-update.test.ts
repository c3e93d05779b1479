import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Channel } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotificationKind } from "../../generated/proto/hr/notification/v1/notification_service.js";
import {
  CaseState,
  type OnboardingCase,
  Step,
} from "../../generated/proto/hr/onboardingcase/v1/onboarding_case_service.js";
import { waitUntilServing } from "../../runtime/launch/readiness.js";
import { as, type Caller, newTenant, tokenOf } from "../support/callers.js";
import { candidateAtOffer } from "../support/candidates.js";
import { hire } from "../support/people-with-logins.js";
import { platformDataClients } from "../support/platform-data-clients.js";
import { type PlatformUnderTest, SERVICES, START_TIMEOUT_MS, startPlatform } from "../support/platform-under-test.js";
import { SteadyLoad } from "../support/steady-load.js";

// Issue 20, item 3: `npm start` with two replicas of every process but the
// gateway (one process: its replicas would need a load balancer in front),
// under steady load through the gateway (two calls in flight: reads, and
// writes with request ids that start onboardings, each of which then writes
// to every data service in the background). First one replica of each data
// service is killed with SIGKILL at once; then every replica of every
// process is stopped with SIGTERM, one after another, and the launcher starts
// it again (a rolling update). Not one call may fail, and every write must
// have happened exactly once.
// Run alone: npm test -- test/apps/rolling-update.test.ts

const DATA_SERVICES = ["people", "identity", "talent", "timeoff", "inbox", "cases"] as const;
/** Candidates at OFFER, accepted through the gateway during the load (each starts an onboarding by itself). */
const OFFERS = 6;
const CONVERGE_MS = 120_000;
/** What each new hire is sent, once each. */
const EXPECTED_NOTICES = [NotificationKind.NOTIFICATION_KIND_WELCOME, NotificationKind.NOTIFICATION_KIND_LOGIN_CREATED];

let platform: PlatformUnderTest;
const channels: Channel[] = [];

beforeAll(async () => {
  platform = await startPlatform(
    {
      // Quick retries and polls, so cases converge soon after the last restart.
      ONBOARDING_POLL_INTERVAL_MS: "500",
      ONBOARDING_RETRY_BASE_MS: "100",
      ONBOARDING_RETRY_MAX_MS: "1000",
      EVENTS_RELAY_POLL_INTERVAL_MS: "500",
      EVENTS_RETRY_INITIAL_DELAY_MS: "100",
      EVENTS_RETRY_MAX_DELAY_MS: "1000",
      // Twelve data service replicas: small pools, well within PostgreSQL's 100 connections.
      ...Object.fromEntries(DATA_SERVICES.map((name) => [`${name.toUpperCase()}_DATABASE_POOL_SIZE`, "3"])),
    },
    // A PostgreSQL of its own: the other test files' connections then never crowd a restarted replica out.
    { replicas: 2, embedded: true },
  );
}, START_TIMEOUT_MS + 150_000);

afterAll(async () => {
  for (const channel of channels) channel.close();
  if (platform !== undefined) {
    platform.launcher.process.kill("SIGINT");
    await platform.launcher.exited();
    await platform.cleanUp();
  }
}, 60_000);

/** Typed clients of the data services, straight to their first replicas (the edge does not expose them). */
function dataClients() {
  return platformDataClients(platform.ports, channels);
}
type DataClients = ReturnType<typeof dataClients>;

/** A token for the load, made anew each minute (tokens live five minutes; the test runs longer). */
function freshToken(make: () => Promise<string>): () => Promise<string> {
  let made = 0;
  let token: Promise<string> | undefined;
  return () => {
    if (token === undefined || Date.now() - made > 60_000) {
      made = Date.now();
      token = make();
    }
    return token;
  };
}

/** A POST through the gateway (Connect protocol, JSON); throws on anything but 200, saying what failed. */
async function viaGateway(method: string, body: object, token: string): Promise<Record<string, unknown>> {
  const response = await fetch(`http://127.0.0.1:${platform.gatewayPort}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${method}: HTTP ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** The replica named `name` ("people", "people 2"): SIGKILL or SIGTERM to its process group, then back and serving. */
async function replaceReplica(name: string, port: number, signal: "SIGKILL" | "SIGTERM"): Promise<void> {
  const pid = platform.launcher.pidOf(name);
  if (pid === undefined) throw new Error(`no pid reported for ${name}`);
  process.kill(-pid, signal);
  await platform.until(`the launcher started ${name} again`, () => platform.launcher.pidOf(name) !== pid);
  await waitUntilServing(port, undefined, START_TIMEOUT_MS).catch((error: Error) => {
    throw new Error(`${name}: ${error.message}; launcher output:\n${platform.launcher.tail(80)}`);
  });
}

/** The tenant's onboarding cases, every page. */
async function everyCase(c: DataClients, hr: Caller): Promise<OnboardingCase[]> {
  const cases: OnboardingCase[] = [];
  let pageToken = "";
  do {
    const page = await c.cases.listCases({ pageSize: 200, pageToken, states: [] }, hr);
    cases.push(...page.onboardingCases);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return cases;
}

describe("two replicas of every process, under steady load through the gateway", () => {
  it("a kill -9 of one replica of each data service, then a rolling restart of every process: no call fails, every write happens once", async () => {
    const c = dataClients();
    const tenantId = newTenant();
    const hr = await as(tenantId, ["hr_admin", "recruiter", "employee"]);
    const managerId = await hire(c, hr, "Margaret");
    const { employee: manager } = await c.employees.getEmployee({ id: managerId }, hr);
    const departmentId = manager?.departmentId ?? "";
    const offers: { email: string; id: string; etag: string }[] = [];
    for (let i = 0; i < OFFERS; i++) {
      const email = `offer.${randomUUID().slice(0, 8)}@example.com`;
      offers.push({ email, ...(await candidateAtOffer(c, hr, { departmentId, email })) });
    }

    const hrToken = freshToken(() => tokenOf(tenantId, "hr-user", ["hr_admin", "employee"]));
    const managerToken = freshToken(() => tokenOf(tenantId, "manager-user", ["employee", "manager"], managerId));
    const started: { email: string; id: string }[] = [];
    const accepted: string[] = [];
    const onboard = async () => {
      const email = `hire.${randomUUID().slice(0, 8)}@example.com`;
      const newHire = {
        ...{ givenName: "Grace", familyName: "Hopper", workEmail: email, departmentId, startDate: "2027-01-04" },
        ...{ loginName: email, roles: ["ROLE_EMPLOYEE"] },
        leaveEntitlements: [{ leaveType: "LEAVE_TYPE_ANNUAL", entitlementHalfDays: 50 }],
      };
      const answer = await viaGateway(
        "hr.onboarding.v1.OnboardingService/StartOnboarding",
        { requestId: randomUUID(), newHire },
        await hrToken(),
      );
      started.push({ email, id: (answer.onboarding as { id: string }).id });
    };
    const accept = async () => {
      const offer = offers.shift();
      if (offer === undefined) return onboard();
      const request = { requestId: randomUUID(), applicationId: offer.id, etag: offer.etag, note: "" };
      await viaGateway("hr.onboarding.v1.OnboardingService/AcceptApplication", request, await hrToken());
      accepted.push(offer.email);
    };
    const follow = async () => {
      const one = started[Math.floor(Math.random() * started.length)];
      const body = one === undefined ? { pageSize: 10 } : { id: one.id };
      const method = one === undefined ? "ListOnboardings" : "GetOnboarding";
      await viaGateway(`hr.onboarding.v1.OnboardingService/${method}`, body, await hrToken());
    };
    const read =
      (method: string, body: object = {}) =>
      async () => {
        await viaGateway(method, body, await managerToken());
      };
    // Every data service is called in the foreground (talent by AcceptApplication),
    // and again in the background by each onboarding's steps (identity only there).
    const calls = [
      onboard,
      follow,
      read("hr.directory.v1.DirectoryService/GetTeam", { departmentId }),
      read("hr.selfservice.v1.SelfService/GetMyProfile"),
      accept,
      read("hr.selfservice.v1.SelfService/ListMyLeaveAccounts"),
      read("hr.selfservice.v1.SelfService/ListMyNotifications"),
      follow,
    ];
    const load = new SteadyLoad((n) => (calls[n % calls.length] as () => Promise<void>)());
    load.start();
    try {
      await load.progress(20);

      // One replica of each data service killed at once; the launcher restarts each.
      await Promise.all(DATA_SERVICES.map((name) => replaceReplica(name, platform.ports[name], "SIGKILL")));
      await load.progress(20);

      // A rolling update: every replica of every process, one after another.
      for (const name of SERVICES) {
        const ports = platform.replicaPorts[name];
        for (const [i, port] of ports.entries()) {
          await replaceReplica(i === 0 ? name : `${name} ${i + 1}`, port, "SIGTERM");
        }
      }
      await load.progress(20);
    } finally {
      await load.stop();
    }
    expect(load.failures).toEqual([]);
    expect(accepted).toHaveLength(OFFERS);

    // Every onboarding completes, each once: one case, one employee, one login, one leave account, each notice once.
    const expectedEmails = [...started.map((s) => s.email), ...accepted].sort();
    const deadline = Date.now() + CONVERGE_MS;
    let cases = await everyCase(c, hr);
    while (cases.some((one) => one.state !== CaseState.CASE_STATE_COMPLETED) && Date.now() < deadline) {
      await sleep(500);
      cases = await everyCase(c, hr);
    }
    const stuck = cases.filter((one) => one.state !== CaseState.CASE_STATE_COMPLETED);
    expect(stuck.map((one) => [one.id, CaseState[one.state], Step[one.currentStep], one.lastError])).toEqual([]);
    expect(cases.map((one) => one.newHire?.workEmail).sort()).toEqual(expectedEmails);
    expect(started.map((s) => s.id).sort()).toEqual(
      cases
        .filter((one) => one.applicationId === "")
        .map((one) => one.id)
        .sort(),
    );

    const hires = cases.map((one) => one.steps.find((s) => s.step === Step.STEP_HIRE_EMPLOYEE)?.employeeId ?? "");
    const employees: { id: string; workEmail: string }[] = [];
    let pageToken = "";
    do {
      const page = await c.employees.listEmployees(
        { pageSize: 200, pageToken, departmentId, managerId: "", status: 0, managerIds: [] },
        hr,
      );
      employees.push(...page.employees);
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect(
      employees
        .filter((e) => e.id !== managerId)
        .map((e) => e.workEmail)
        .sort(),
    ).toEqual(expectedEmails);
    expect(
      employees
        .filter((e) => e.id !== managerId)
        .map((e) => e.id)
        .sort(),
    ).toEqual([...hires].sort());

    for (const employeeId of hires) {
      const { accounts } = await c.accounts.listAccounts(
        { pageSize: 10, pageToken: "", status: 0, role: 0, employeeId },
        hr,
      );
      expect(accounts).toHaveLength(1);
      const { leaveAccounts } = await c.leaveAccounts.listLeaveAccounts(
        { pageSize: 10, pageToken: "", employeeId, year: 0, employeeIds: [] },
        hr,
      );
      expect(leaveAccounts).toHaveLength(1);
      const person = await as(tenantId, ["employee"], { employeeId });
      const { notifications } = await c.notifications.listNotifications(
        { pageSize: 10, pageToken: "", unreadOnly: false, orderBy: "" },
        person,
      );
      expect(notifications.map((n) => n.kind).sort()).toEqual(EXPECTED_NOTICES);
    }
  }, 900_000);
});
