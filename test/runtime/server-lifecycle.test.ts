import { randomUUID } from "node:crypto";
import { createChannel, createClient, Status } from "nice-grpc";
import {
  HealthCheckResponse_ServingStatus,
  HealthDefinition,
} from "nice-grpc-server-health/lib/proto/grpc/health/v1/health.js";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { openDepartment } from "../contexts/employee.fixtures.js";
import { as, type Caller, newTenant, testConfig } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";
import { settled } from "../support/settled.js";

// What every server gets from runtime/server: health, graceful shutdown and
// opaque internal errors, shown on the people service.

let people: PeopleUnderTest | undefined;
afterEach(async () => {
  await people?.stop();
  people = undefined;
});

async function hireOne(p: PeopleUnderTest, auth: Caller) {
  const { employee } = await p.employees.hireEmployee(
    {
      requestId: randomUUID(),
      givenName: "In",
      familyName: "Flight",
      workEmail: `${randomUUID()}@example.com`,
      jobTitle: "",
      departmentId: await openDepartment(p, auth.tenantId),
      managerId: "",
      hireDate: "2024-02-01",
    },
    auth,
  );
  return employee!;
}

describe("graceful shutdown", () => {
  it("reports NOT_SERVING, completes the call in flight, then stops", async () => {
    people = await startPeople({ ...testConfig, shutdownDelayMs: 300 });
    const p = people;
    const acme = await as(newTenant());
    const employee = await hireOne(p, acme);
    const health = createClient(HealthDefinition, createChannel(p.address));
    expect((await health.check({ service: "" })).status).toBe(HealthCheckResponse_ServingStatus.SERVING);

    const blocker = new pg.Client({ connectionString: p.databaseUrl });
    await blocker.connect();
    await blocker.query("BEGIN; LOCK TABLE employees IN ACCESS EXCLUSIVE MODE");
    // Observed from the start (test/support/settled.ts): a failure is reported, never an unhandled rejection.
    const inFlight = settled([p.employees.getEmployee({ id: employee.id }, acme)]);
    // Let the call reach the server and block on the lock before shutdown starts.
    await waitUntil(async () => {
      const { rows } = await blocker.query("SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted");
      return rows[0].n > 0;
    });
    const stopped = settled([p.server.stop()]);
    expect((await health.check({ service: "" })).status).toBe(HealthCheckResponse_ServingStatus.NOT_SERVING);
    // Past the delay the server refuses new calls; the blocked one is still in flight.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await expectError(p.employees.getEmployee({ id: employee.id }, acme), Status.UNAVAILABLE);
    await blocker.query("ROLLBACK");
    await blocker.end();

    const [answer] = await inFlight;
    expect((await answer).employee?.id).toBe(employee.id);
    const [stop] = await stopped;
    await stop;
    await expectError(p.employees.getEmployee({ id: employee.id }, acme), Status.UNAVAILABLE);
  });
});

describe("health and errors", () => {
  it("answers INTERNAL without leaking internals when the database breaks", async () => {
    people = await startPeople();
    const acme = await as(newTenant());
    await people.db.$executeRawUnsafe("ALTER TABLE employees RENAME TO employees_gone");
    const error = await expectError(people.employees.getEmployee({ id: randomUUID() }, acme), Status.INTERNAL);
    expect(error.message).toBe("internal error");
  });
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
