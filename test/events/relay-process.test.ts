import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmployeeHired } from "../../generated/proto/hr/employee/v1/employee_events.js";
import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { DepartmentServiceDefinition } from "../../generated/proto/hr/organization/v1/department_service.js";
import { openChannel } from "../../runtime/client/service-client.js";
import { openSqlDatabase, type SqlDatabase } from "../../runtime/db/sql.js";
import { type Event, on, startConsumer } from "../../runtime/events/consumer.js";
import { repoRoot } from "../../runtime/repo-root.js";
import { startDataServer } from "../../runtime/service/data-service.js";
import { peopleService } from "../../services/people/people-service.js";
import { as, newTenant, testConfig, testKeys, testLogger } from "../support/callers.js";
import { cloneServiceDatabase, type DatabaseUnderTest } from "../support/database-under-test.js";
import { type EventsUnderTest, eventually, startEventsUnderTest } from "../support/events-under-test.js";
import { freePortBelowEphemeral } from "../support/free-port.js";
import { testClient } from "../support/service-under-test.js";

// The relay as `npm start` runs it: inside the data service's process,
// started by runDataService. A process killed with SIGKILL loses nothing: the
// events recorded while no relay ran are published, in order and once, by
// the next process.

let database: DatabaseUnderTest;
let events: EventsUnderTest;

beforeAll(async () => {
  [database, events] = await Promise.all([cloneServiceDatabase("people"), startEventsUnderTest()]);
});

afterAll(async () => {
  await events?.stop();
  await database?.drop();
});

/** The people service's own process on `port`, with the test's events settings; resolves once it serves. */
async function startPeopleProcess(port: number): Promise<ChildProcess> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    AUTH_JWKS_FILE: testKeys.jwksFile,
    LOG_LEVEL: "warn",
    PEOPLE_PORT: String(port),
    // No metrics: the default port is a running `npm start`'s.
    PEOPLE_METRICS_PORT: "0",
    PEOPLE_DATABASE_URL: database.url,
  };
  for (const [name, value] of Object.entries(events.env)) if (value !== undefined) env[name] = value;
  // One process (node with tsx's loader, not the tsx wrapper), so SIGKILL kills the service itself.
  const entry = path.join(repoRoot, "services/people/main.ts");
  const child = spawn(process.execPath, ["--import", "tsx", entry], { cwd: repoRoot, env, stdio: "ignore" });
  const channel = openChannel(`127.0.0.1:${port}`);
  const client = testClient(EmployeeServiceDefinition, channel);
  const caller = await as(newTenant());
  await eventually(
    "the people process serves",
    async () => {
      if (child.exitCode !== null) throw new Error(`the people process exited with ${child.exitCode}`);
      return client.getEmployee({ id: randomUUID() }, caller).then(
        () => true,
        (error: { code?: number }) => error.code === 5, // NOT_FOUND: it answers.
      );
    },
    30_000,
  ).finally(() => channel.close());
  return child;
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

describe(`a data service's process (${process.env.NATS_URL ? "NATS JetStream" : "events database"})`, () => {
  it("relays its outbox, and after a kill -9 the next process publishes what was recorded meanwhile, once", async () => {
    const tenantId = newTenant();
    const hr = await as(tenantId);
    const seen: Event[] = [];
    const consumer = await startConsumer({
      name: `process-test-${randomUUID().slice(0, 8)}`,
      streams: ["people"],
      handlers: [
        on("hr.employee.v1.EmployeeHired", EmployeeHired, async (_, event) => {
          if (event.tenantId === tenantId) seen.push(event);
        }),
      ],
      logger: testLogger(),
      env: events.env,
    });
    let sql: SqlDatabase | undefined;
    let child: ChildProcess | undefined;
    try {
      const port = await freePortBelowEphemeral();
      child = await startPeopleProcess(port);
      const channel = openChannel(`127.0.0.1:${port}`);
      const departments = testClient(DepartmentServiceDefinition, channel);
      const employees = testClient(EmployeeServiceDefinition, channel);
      const { department } = await departments.createDepartment(
        {
          requestId: randomUUID(),
          name: "Team",
          code: `D-${randomUUID().slice(0, 8)}`,
          parentDepartmentId: "",
          headEmployeeId: "",
        },
        hr,
      );
      const hireWith = (client: typeof employees, givenName: string) =>
        client.hireEmployee(
          {
            requestId: randomUUID(),
            givenName,
            familyName: "Lovelace",
            workEmail: `${givenName.toLowerCase()}.${randomUUID().slice(0, 8)}@example.com`,
            jobTitle: "",
            departmentId: department?.id ?? "",
            managerId: "",
            hireDate: "2026-01-05",
          },
          hr,
        );
      await hireWith(employees, "Ada");
      await eventually("the process's relay published the first hire", () => seen.length >= 1);

      await killed(child);
      child = undefined;
      // While no relay runs, hires go on through a server without one: their events wait in the outbox.
      sql = openSqlDatabase(database.url, 2);
      const server = await startDataServer(peopleService, {
        db: sql,
        port: 0,
        config: testConfig,
        logger: testLogger(),
      });
      const meanwhileChannel = openChannel(`127.0.0.1:${server.port}`);
      const meanwhile = testClient(EmployeeServiceDefinition, meanwhileChannel);
      await hireWith(meanwhile, "Grace");
      await hireWith(meanwhile, "Edsger");
      meanwhileChannel.close();
      await server.stop();
      expect(seen).toHaveLength(1);

      child = await startPeopleProcess(port);
      await eventually("the next process published the waiting hires", () => seen.length >= 3);
      await hireWith(employees, "Barbara");
      await eventually("and the ones after", () => seen.length >= 4);
      const names = seen.map((event) => EmployeeHired.decode(event.payload?.value ?? new Uint8Array()).givenName);
      expect(names).toEqual(["Ada", "Grace", "Edsger", "Barbara"]);
      channel.close();
    } finally {
      if (child) await killed(child);
      await sql?.end();
      await consumer.stop();
    }
  }, 90_000);
});
