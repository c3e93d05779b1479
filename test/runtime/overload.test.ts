import { randomUUID } from "node:crypto";
import { ClientError, createChannel, createClient, Metadata, Status } from "nice-grpc";
import { ErrorInfo, RetryInfo, RichClientError } from "nice-grpc-error-details";
import { HealthDefinition } from "nice-grpc-server-health";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { createServiceClient, openChannel } from "../../runtime/client/service-client.js";
import { openDepartment } from "../contexts/employee.fixtures.js";
import { as, type Caller, newTenant, testClientPolicy, testConfig } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";

// Load shedding (runtime/server/admission.ts) on the people service, with a
// limit and a queue small enough that a burst overflows them at once.

const SMALL = { minLimit: 2, maxLimit: 4, initialLimit: 4, queueSize: 16, maxWaitMs: 2_000, minDeadlineMs: 5 };
const BURST = 400;

let people: PeopleUnderTest | undefined;
afterEach(async () => {
  await people?.stop();
  people = undefined;
});

async function hireOne(p: PeopleUnderTest, auth: Caller): Promise<string> {
  const { employee } = await p.employees.hireEmployee(
    {
      requestId: randomUUID(),
      ...{ givenName: "Ada", familyName: "Lovelace", workEmail: `${randomUUID()}@example.com`, jobTitle: "" },
      ...{ departmentId: await openDepartment(p, auth.tenantId), managerId: "", hireDate: "2024-02-01" },
    },
    auth,
  );
  return employee!.id;
}

/** What a call ended with: its status, and for a refusal the details the server attached. */
async function outcome(call: Promise<unknown>) {
  try {
    await call;
    return { code: "OK" };
  } catch (error) {
    if (!(error instanceof ClientError)) throw error;
    const extra = error instanceof RichClientError ? error.extra : [];
    const info = extra.find((d) => d.$type === ErrorInfo.$type);
    const retry = extra.find((d) => d.$type === RetryInfo.$type);
    const delay = retry?.retryDelay;
    const retryDelayMs = delay ? delay.seconds * 1000 + delay.nanos / 1e6 : undefined;
    return {
      code: Status[error.code],
      reason: info?.reason,
      domain: info?.domain,
      retryDelayMs,
      message: error.message,
    };
  }
}

describe("an overloaded server", () => {
  it("answers a burst partly OK and refuses the rest at once with RetryInfo, while another tenant is served", async () => {
    people = await startPeople({ ...testConfig, admission: SMALL });
    const p = people;
    const [tenantA, tenantB] = [await as(newTenant()), await as(newTenant())];
    const [idA, idB] = [await hireOne(p, tenantA), await hireOne(p, tenantB)];

    const burst = Array.from({ length: BURST }, () =>
      outcome(p.employees.getEmployee({ id: idA }, { ...tenantA, deadline: 10_000 })),
    );
    // Sent on the same connection right behind the burst: they find A's calls filling the queue.
    const servedB = [];
    for (let round = 0; round < 3; round++) {
      servedB.push(
        ...(await Promise.all(
          Array.from({ length: 4 }, () =>
            outcome(p.employees.getEmployee({ id: idB }, { ...tenantB, deadline: 10_000 })),
          ),
        )),
      );
    }
    const outcomes = await Promise.all(burst);

    expect(servedB.map((o) => o.code)).toEqual(Array(12).fill("OK"));
    const codes = new Set(outcomes.map((o) => o.code));
    expect([...codes].sort()).toEqual(["OK", "RESOURCE_EXHAUSTED"]);
    for (const refused of outcomes.filter((o) => o.code === "RESOURCE_EXHAUSTED")) {
      expect(refused).toMatchObject({ reason: "OVERLOADED", domain: "people.hr" });
      expect(refused.retryDelayMs).toBeGreaterThan(0);
    }
  }, 60_000);

  it("a platform client holds back calls itself while the server refuses them for overload", async () => {
    people = await startPeople({ ...testConfig, admission: SMALL });
    const acme = await as(newTenant());
    const id = await hireOne(people, acme);
    const channel = openChannel(people.address);
    const employees = createServiceClient(EmployeeServiceDefinition, channel, {
      ...testClientPolicy,
      throttle: { ratio: 1.1, windowSeconds: 60 },
    });
    const burst = () =>
      Promise.all(
        Array.from({ length: BURST }, () => outcome(employees.getEmployee({ id }, { ...acme, deadline: 10_000 }))),
      );
    const refusedByServer = (outcomes: Awaited<ReturnType<typeof burst>>) =>
      outcomes.filter((o) => o.reason === "OVERLOADED").length;
    const heldBack = (outcomes: Awaited<ReturnType<typeof burst>>) =>
      outcomes.filter((o) => o.code === "RESOURCE_EXHAUSTED" && o.message?.includes("client-side throttling")).length;

    try {
      // The first burst finds no refusals in the client's history: it reaches the server, which sheds most
      // (the few calls that start after the first refusals have come back may be held back).
      const first = await burst();
      expect(heldBack(first)).toBeLessThan(BURST / 10);
      expect(refusedByServer(first)).toBeGreaterThan(BURST / 2);
      // The second is mostly held back in the client: the server sees about 1.1 × what it accepted.
      const second = await burst();
      expect(heldBack(second)).toBeGreaterThan(BURST / 2);
      expect(refusedByServer(second)).toBeLessThan(refusedByServer(first) / 2);
      expect(second.some((o) => o.code === "OK")).toBe(true);
    } finally {
      channel.close();
    }
  }, 60_000);

  it("refuses a call whose deadline is shorter than its method usually takes, before running it", async () => {
    people = await startPeople({ ...testConfig, admission: SMALL });
    const p = people;
    const acme = await as(newTenant());
    const id = await hireOne(p, acme);

    // GetEmployee learns it takes at least 300 ms: its first calls wait on a locked table.
    const blocker = new pg.Client({ connectionString: p.databaseUrl });
    await blocker.connect();
    await blocker.query("BEGIN; LOCK TABLE employees IN ACCESS EXCLUSIVE MODE");
    const slow = Array.from({ length: 3 }, () => p.employees.getEmployee({ id }, acme));
    await waitUntil(async () => {
      const { rows } = await blocker.query("SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted");
      return rows[0].n === 3;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await blocker.query("COMMIT");
    await blocker.end();
    await Promise.all(slow);

    // The table is free again, so a call that ran would answer at once: this one is refused unrun.
    const refused = await expectError(
      p.employees.getEmployee({ id }, { ...acme, deadline: 100 }),
      Status.DEADLINE_EXCEEDED,
    );
    expect(refused.message).toMatch(/ms left before the deadline, less than the \d+ ms this method needs/);
    expect((await p.employees.getEmployee({ id }, { ...acme, deadline: 5_000 })).employee?.id).toBe(id);
  }, 60_000);
});

describe("a call the server cannot serve in time", () => {
  it("is refused before its token is even looked at, with health still answered", async () => {
    people = await startPeople({ ...testConfig, admission: SMALL });
    const channel = createChannel(people.address);
    try {
      // No token, and a deadline long past (x-deadline-ms, as the platform's clients send it):
      // refusing it for time costs less than checking the token, so the server does that first.
      const employees = createClient(EmployeeServiceDefinition, channel);
      const refused = await expectError(
        employees.getEmployee({ id: randomUUID() }, { metadata: Metadata({ "x-deadline-ms": "1" }) }),
        Status.DEADLINE_EXCEEDED,
      );
      expect(refused.message).toMatch(/ms left before the deadline/);
      // Without a deadline the same call is judged by its (missing) token.
      await expectError(employees.getEmployee({ id: randomUUID() }), Status.UNAUTHENTICATED);
      // Health and reflection are never shed, whatever their deadline says.
      const health = createClient(HealthDefinition, channel);
      const answer = await health.check({ service: "" }, { metadata: Metadata({ "x-deadline-ms": "1" }) });
      expect(answer.status).toBe(1); // SERVING
    } finally {
      channel.close();
    }
  }, 60_000);
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
