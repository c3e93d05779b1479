import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, newTenant } from "../support/callers.js";
import { type GatewayUnderTest, startGatewayUnderTest } from "../support/gateway-under-test.js";
import { type IdentityUnderTest, startIdentity } from "../support/identity-under-test.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";
import { giveLogin, hire, PASSWORD } from "../support/people-with-logins.js";
import { startSelfServiceProcess } from "../support/self-service-process.js";
import { startSession } from "../support/session-under-test.js";
import { startTimeoff, type TimeoffUnderTest } from "../support/timeoff-under-test.js";

// Isolation per upstream at the edge: self-service runs in a process of its
// own, which the test freezes (SIGSTOP) to make it hang for real, while
// session (in this process) stays healthy. Self-service's calls get a short
// budget and its circuit a short half-open delay, so the story takes seconds.
// Run alone: npm test -- test/apps/gateway-isolation.test.ts

const LOGIN = "/hr.session.v1.SessionService/Login";
const MY_PROFILE = "/hr.selfservice.v1.SelfService/GetMyProfile";
const CONCURRENCY = 2;
const QUEUE = 1;
const BREAKER_FAILURES = 2;
const CALLS_AT_ONCE = 8;

let identity: IdentityUnderTest;
let people: PeopleUnderTest;
let timeoff: TimeoffUnderTest;
let session: Awaited<ReturnType<typeof startSession>>;
let selfService: Awaited<ReturnType<typeof startSelfServiceProcess>>;
let gateway: GatewayUnderTest;
const logLines: { msg?: string; upstream?: string }[] = [];

beforeAll(async () => {
  [identity, people, timeoff] = await Promise.all([startIdentity(), startPeople(), startTimeoff()]);
  [session, selfService] = await Promise.all([
    startSession(identity.address),
    startSelfServiceProcess(people.address, timeoff.address),
  ]);
  const logs = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  gateway = await startGatewayUnderTest(
    { "hr.session.v1": `127.0.0.1:${session.server.port}`, "hr.selfservice.v1": selfService.address },
    {
      // Self-service's calls (every method but Login) have 1.5 s; sign-in keeps a comfortable budget.
      GATEWAY_DEADLINE_MS: "1500",
      GATEWAY_METHOD_DEADLINES: `${LOGIN}=15000`,
      GATEWAY_UPSTREAM_CONCURRENCY: String(CONCURRENCY),
      GATEWAY_UPSTREAM_QUEUE: String(QUEUE),
      GATEWAY_BREAKER_FAILURES: String(BREAKER_FAILURES),
      // Long enough for the test to see the open circuit, short enough to wait for the trial call.
      GATEWAY_BREAKER_HALF_OPEN_MS: "2000",
      GATEWAY_CALLER_LIMIT: "1000",
      GATEWAY_TENANT_LIMIT: "1000",
    },
    pino({ level: "info" }, logs),
  );
});
afterAll(async () => {
  await gateway?.stop();
  await Promise.all([session?.stop(), selfService?.stop()]);
  await Promise.all([identity?.stop(), people?.stop(), timeoff?.stop()]);
});

/** A tenant with one employee, Ada, and her login: her token for self-service, her credentials for session. */
async function tenantWithAda() {
  const tenantId = newTenant();
  const admin = await as(tenantId);
  const employeeId = await hire(people, admin);
  const loginName = await giveLogin(identity.accounts, admin, employeeId);
  const token = (await as(tenantId, ["employee"], { employeeId })).metadata.get("authorization") ?? "";
  return { tenantId, loginName, employeeId, headers: { authorization: token } };
}

type Ada = Awaited<ReturnType<typeof tenantWithAda>>;

/** An answer as a client sees it: status, Connect code, and the ErrorInfo reason if any. */
async function outcome(response: Response) {
  const body = (await response.json()) as {
    code?: string;
    details?: { type: string; debug?: { reason?: string; retryDelay?: string } }[];
  };
  const detail = (type: string) => body.details?.find((d) => d.type === type)?.debug;
  return {
    status: response.status,
    code: body.code,
    reason: detail("google.rpc.ErrorInfo")?.reason,
    retryDelay: detail("google.rpc.RetryInfo")?.retryDelay,
    retryAfter: response.headers.get("retry-after"),
  };
}

const signIn = (ada: Ada) =>
  gateway.call(LOGIN, { tenantId: ada.tenantId, loginName: ada.loginName, password: PASSWORD });

describe("which answers count against an upstream", () => {
  it("never opens the circuit on business errors: the next call still reaches the upstream", async () => {
    const ada = await tenantWithAda();
    const unlinked = (await as(ada.tenantId, ["employee"])).metadata.get("authorization") ?? "";
    const stranger = (await as(ada.tenantId, ["employee"], { employeeId: randomUUID() })).metadata.get("authorization");
    for (let i = 0; i < BREAKER_FAILURES + 1; i++) {
      // FAILED_PRECONDITION (a login linked to no employee) and NOT_FOUND (an employee people does not know).
      expect((await gateway.call(MY_PROFILE, {}, { authorization: unlinked })).status).toBe(400);
      expect((await gateway.call(MY_PROFILE, {}, { authorization: stranger ?? "" })).status).toBe(404);
    }
    expect((await gateway.call(MY_PROFILE, {}, ada.headers)).status).toBe(200);
  });
});

describe("an upstream that hangs", () => {
  it("fails its own routes fast while the other upstream keeps answering, and comes back after a trial call", async () => {
    const ada = await tenantWithAda();
    expect((await gateway.call(MY_PROFILE, {}, ada.headers)).status).toBe(200);
    expect((await signIn(ada)).status).toBe(200);

    selfService.freeze();
    try {
      // Budgets the client shortened run out without counting against the upstream.
      const shortened = await Promise.all(
        [1, 2].map(() => gateway.call(MY_PROFILE, {}, { ...ada.headers, "connect-timeout-ms": "100" })),
      );
      expect(shortened.map((response) => response.status)).toEqual([504, 504]);

      // More calls at once than the bulkhead holds: the ones over it are refused at once, the
      // others hang until their budget is spent, and meanwhile the other upstream answers.
      const settled: { call: string; status: number; reason?: string }[] = [];
      const profiles = Array.from({ length: CALLS_AT_ONCE }, async () => {
        const answer = await outcome(await gateway.call(MY_PROFILE, {}, ada.headers));
        settled.push({ call: "profile", ...answer });
        return answer;
      });
      const login = signIn(ada).then((response) => settled.push({ call: "login", status: response.status }));
      const [answers] = await Promise.all([Promise.all(profiles), login]);

      const saturated = answers.filter((answer) => answer.reason === "UPSTREAM_SATURATED");
      expect(saturated).toHaveLength(CALLS_AT_ONCE - CONCURRENCY - QUEUE);
      for (const answer of saturated) {
        expect(answer).toMatchObject({ status: 503, code: "unavailable", retryAfter: "1" });
        expect(answer.retryDelay).toMatch(/^\d+\.\d{3}s$/);
      }
      const admitted = answers.filter((answer) => answer.reason !== "UPSTREAM_SATURATED");
      expect(admitted.filter((answer) => answer.status === 504).length).toBeGreaterThanOrEqual(CONCURRENCY);
      for (const answer of admitted) expect([504, 503]).toContain(answer.status);
      // Order of answers, not durations: every refusal, and the sign-in, came back before any hung call.
      const beforeFirstTimeout = settled.slice(
        0,
        settled.findIndex((entry) => entry.status === 504),
      );
      expect(beforeFirstTimeout.filter((entry) => entry.reason === "UPSTREAM_SATURATED")).toHaveLength(
        saturated.length,
      );
      expect(beforeFirstTimeout.filter((entry) => entry.call === "login")).toEqual([{ call: "login", status: 200 }]);

      // The hung calls opened the circuit: refused at once, with when to retry, while the other upstream answers.
      const open = await outcome(await gateway.call(MY_PROFILE, {}, ada.headers));
      expect(open).toMatchObject({ status: 503, code: "unavailable", reason: "UPSTREAM_CIRCUIT_OPEN" });
      expect(Number(open.retryAfter)).toBeGreaterThanOrEqual(1);
      expect((await signIn(ada)).status).toBe(200);
      // One bad upstream does not take the gateway out of its load balancer.
      expect((await fetch(`${gateway.baseUrl}/healthz/ready`)).status).toBe(200);
    } finally {
      selfService.thaw();
    }

    // Running again, but the circuit is still open: a 503 now shows the call was not sent.
    expect(await outcome(await gateway.call(MY_PROFILE, {}, ada.headers))).toMatchObject({
      status: 503,
      reason: "UPSTREAM_CIRCUIT_OPEN",
    });
    // After the half-open delay one trial call goes through, succeeds, and closes the circuit.
    const whileWaiting: string[] = [];
    let status = 0;
    for (let attempt = 0; attempt < 100 && status !== 200; attempt++) {
      const answer = await outcome(await gateway.call(MY_PROFILE, {}, ada.headers));
      status = answer.status;
      if (status === 200) break;
      whileWaiting.push(answer.reason ?? `${status}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
    expect(whileWaiting.filter((reason) => reason !== "UPSTREAM_CIRCUIT_OPEN")).toEqual([]);
    expect((await gateway.call(MY_PROFILE, {}, ada.headers)).status).toBe(200);

    const transitions = logLines
      .filter((line) => line.upstream === "hr.selfservice.v1" && line.msg?.startsWith("upstream circuit"))
      .map((line) => line.msg);
    expect(transitions).toEqual([
      "upstream circuit open: calls refused",
      "upstream circuit half-open: one trial call",
      "upstream circuit closed: calls pass again",
    ]);
  });
});
