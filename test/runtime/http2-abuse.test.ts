import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import { type Channel, ClientError, createChannel, Status } from "nice-grpc";
import { HealthDefinition } from "nice-grpc-server-health";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Employee, EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { as, type Caller, newTenant, testConfig } from "../support/callers.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";
import { testClient } from "../support/service-under-test.js";

// One client cancels a couple of thousand calls at once on one HTTP/2
// connection. Past about 1,000 resets in a burst, the server's HTTP/2 closes
// the connection (its rapid-reset guard) and fails every call still on it;
// the client bounds its open calls per channel (runtime/client/calls-in-flight.ts)
// so that such a burst stays far below that. Neither the client's other calls
// nor another client may notice.
//
// The calls cancelled are health Watch streams: long-lived calls of the real
// server that need no database, so the test does not rely on the server
// admitting thousands of business calls (a load shedder may refuse those; it
// may refuse watches too: a refused watch just ends, and fewer streams are
// reset). The client's other calls are business commands held in flight by
// row locks the test holds in its own transaction.

/** Calls the client starts and then cancels at once. */
const CANCELLED_CALLS = 2_000;
/** Its business calls in flight meanwhile (each holds one of the server's 5 pooled connections). */
const CALLS_IN_FLIGHT = 3;
/** Calls another client makes while the cancellations arrive. */
const OTHER_CLIENT_CALLS = 50;

let people: PeopleUnderTest;
let locker: pg.Client;
const channels: Channel[] = [];

/** A channel with a connection of its own (grpc-js otherwise shares one between channels to one address). */
function ownConnection(): Channel {
  const channel = createChannel(people.address, undefined, { "grpc.use_local_subchannel_pool": 1 });
  channels.push(channel);
  return channel;
}

beforeAll(async () => {
  people = await startPeople();
  locker = new pg.Client({ connectionString: people.databaseUrl });
  await locker.connect();
});

afterAll(async () => {
  for (const channel of channels) channel.close();
  await locker?.end();
  await people?.stop();
});

async function until(what: string, condition: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** How many sessions wait for a lock the test's own session holds (pg_locks is read live). */
async function blockedByTheTest(): Promise<number> {
  const { rows } = await locker.query<{ blocked: number }>(
    "SELECT count(DISTINCT pid)::int AS blocked FROM pg_locks WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))",
  );
  return rows[0]?.blocked ?? 0;
}

async function hire(caller: Caller, count: number): Promise<Employee[]> {
  const { department } = await people.departments.createDepartment(
    { requestId: randomUUID(), name: "Ops", code: "OPS" },
    caller,
  );
  const hired: Employee[] = [];
  for (let i = 0; i < count; i++) {
    const request = {
      requestId: randomUUID(),
      ...{ givenName: `Ada ${i}`, familyName: "Lovelace", workEmail: `ada${i}@example.com`, jobTitle: "" },
      ...{ departmentId: department?.id ?? "", managerId: "", hireDate: "2026-01-05" },
    };
    const { employee } = await people.employees.hireEmployee(request, caller);
    if (!employee) throw new Error("HireEmployee answered no employee");
    hired.push(employee);
  }
  return hired;
}

/** "OK", or the status a call failed with: what the assertions compare. */
function outcome(result: PromiseSettledResult<unknown>): string {
  if (result.status === "fulfilled") return "OK";
  const error = result.reason;
  return error instanceof ClientError ? `${Status[error.code]}: ${error.details}` : String(error);
}

describe("a burst of cancelled calls on one HTTP/2 connection", () => {
  it("leaves the client's other calls and another client's calls unharmed", async () => {
    const acme = await as(newTenant());
    const hired = await hire(acme, CALLS_IN_FLIGHT);
    const abusive = ownConnection();
    const abusiveEmployees = testClient(EmployeeServiceDefinition, abusive);
    const abusiveHealth = testClient(HealthDefinition, abusive);
    const otherEmployees = testClient(EmployeeServiceDefinition, ownConnection());

    // The client's business calls: updates that wait for the rows the test locks.
    await locker.query("BEGIN");
    await locker.query("SELECT id FROM employees WHERE id = ANY($1) FOR UPDATE", [hired.map((e) => e.id)]);
    const inFlight = Promise.allSettled(
      hired.map((employee) =>
        abusiveEmployees.updateEmployee(
          { requestId: randomUUID(), employee: { ...employee, jobTitle: "Analyst" }, updateMask: ["job_title"] },
          { ...acme, deadline: 60_000 },
        ),
      ),
    );
    await until("the updates wait for the locked rows", async () => (await blockedByTheTest()) === CALLS_IN_FLIGHT);

    // The burst: watches that stay open until cancelled (a Watch answers the
    // current status at once), all cancelled by one signal. The client opens
    // as many as it may, the others wait for a turn.
    const cancel = new AbortController();
    setMaxListeners(CANCELLED_CALLS, cancel.signal);
    let answered = 0;
    const watches = Array.from({ length: CANCELLED_CALLS }, async () => {
      let counted = false;
      const count = () => {
        if (!counted) answered++;
        counted = true;
      };
      try {
        for await (const _ of abusiveHealth.watch({ service: "" }, { signal: cancel.signal, deadline: 60_000 })) {
          count();
        }
      } catch {
        // Cancelled by the test, or refused by the server: either way the stream is over.
      } finally {
        count();
      }
    });
    const open = Math.min(CANCELLED_CALLS, testConfig.maxConcurrentStreams - CALLS_IN_FLIGHT);
    await until(`${open} watches are open`, () => answered >= open);

    const otherClient = Promise.allSettled(
      Array.from({ length: OTHER_CLIENT_CALLS }, (_, i) =>
        otherEmployees.getEmployee({ id: hired[i % hired.length]?.id ?? "" }, acme),
      ),
    );
    cancel.abort();
    await Promise.all(watches);
    // Sent after every reset on the same connection: once it is answered, the server has seen them all.
    const afterTheBurst = await Promise.allSettled([abusiveHealth.check({ service: "" })]);
    await locker.query("COMMIT");

    const everyCall = (results: PromiseSettledResult<unknown>[]) => results.map(outcome);
    expect({
      inFlight: everyCall(await inFlight),
      afterTheBurst: everyCall(afterTheBurst),
      otherClient: everyCall(await otherClient),
    }).toEqual({
      inFlight: hired.map(() => "OK"),
      afterTheBurst: ["OK"],
      otherClient: Array.from({ length: OTHER_CLIENT_CALLS }, () => "OK"),
    });
    const updated = await people.employees.batchGetEmployees({ ids: hired.map((e) => e.id) }, acme);
    expect(updated.employees.map((e) => e.jobTitle)).toEqual(hired.map(() => "Analyst"));
  }, 60_000);
});
