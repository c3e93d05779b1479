import { randomUUID } from "node:crypto";
import { Metadata, Status } from "nice-grpc";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { DepartmentServiceDefinition } from "../../generated/proto/hr/organization/v1/department_service.js";
import { REQUEST_ID_HEADER } from "../../runtime/client/call-headers.js";
import { createServiceClient, openChannel } from "../../runtime/client/service-client.js";
import { openSqlDatabase, type SqlDatabase } from "../../runtime/db/sql.js";
import type { RunningServer } from "../../runtime/server/grpc-server.js";
import { startDataServer } from "../../runtime/service/data-service.js";
import { peopleService } from "../../services/people/people-service.js";
import { openDepartment } from "../contexts/employee.fixtures.js";
import { as, type Caller, newTenant, testClientPolicy, testConfig } from "../support/callers.js";
import { cloneServiceDatabase, type DatabaseUnderTest } from "../support/database-under-test.js";
import { expectError } from "../support/grpc-errors.js";

// A call whose caller goes away (a deadline that passes, a cancel) stops its
// database work: the statement it waits in is cancelled in PostgreSQL, its
// transaction rolls back, and the call is logged with that outcome. The test
// holds a lock the call needs, so without cancellation the call's statement
// would keep waiting in PostgreSQL (until the 10 s statement timeout).

let database: DatabaseUnderTest;
let db: SqlDatabase;
let server: RunningServer;
let channel: ReturnType<typeof openChannel>;
let employees: ReturnType<typeof createServiceClient<typeof EmployeeServiceDefinition>>;
let departments: ReturnType<typeof createServiceClient<typeof DepartmentServiceDefinition>>;
const logLines: Array<{ method?: string; code?: string; requestId?: string }> = [];

beforeAll(async () => {
  database = await cloneServiceDatabase("people");
  db = openSqlDatabase(database.url, 4);
  const logger = pino({ level: "info" }, { write: (line: string) => logLines.push(JSON.parse(line)) });
  server = await startDataServer(peopleService, { db, port: 0, config: testConfig, logger });
  channel = openChannel(`127.0.0.1:${server.port}`);
  employees = createServiceClient(EmployeeServiceDefinition, channel, testClientPolicy);
  departments = createServiceClient(DepartmentServiceDefinition, channel, testClientPolicy);
});

afterAll(async () => {
  channel?.close();
  await server?.stop();
  await db?.end();
  await database?.drop();
});

async function hire(caller: Caller) {
  const { employee } = await employees.hireEmployee(
    {
      requestId: randomUUID(),
      ...{ givenName: "Ada", familyName: "Lovelace", workEmail: `ada.${randomUUID()}@example.com`, jobTitle: "" },
      ...{ departmentId: await openDepartment({ departments, employees }, caller.tenantId), managerId: "" },
      hireDate: "2026-01-05",
    },
    caller,
  );
  if (!employee) throw new Error("no employee hired");
  return employee;
}

/** A connection of the test's own that holds a lock until released. */
async function holdLock(lockStatement: string, values: unknown[]): Promise<() => Promise<void>> {
  const holder = new pg.Client(database.url);
  await holder.connect();
  await holder.query("BEGIN");
  await holder.query(lockStatement, values);
  return async () => {
    await holder.query("ROLLBACK");
    await holder.end();
  };
}

/** How many of the service's statements wait on a lock right now. */
async function waitingStatements(): Promise<number> {
  const rows = await db.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
  );
  return rows.rows[0]?.n ?? 0;
}

/** Polls until `count()` equals `expected`; fails after 4 s, well below the 10 s statement timeout. */
async function becomes(count: () => Promise<number>, expected: number, what: string): Promise<void> {
  let last = -1;
  for (let i = 0; i < 80; i++) {
    last = await count();
    if (last === expected) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what}: expected ${expected}, still ${last}`);
}

/** The caller's metadata with the request id the server logs the call under. */
function withRequestId(caller: Caller, requestId: string) {
  return Metadata(caller.metadata).set(REQUEST_ID_HEADER, requestId);
}

/** The call log's line for one request id, once the server has written it. */
async function loggedCode(requestId: string): Promise<string | undefined> {
  for (let i = 0; i < 40; i++) {
    const line = logLines.find((l) => l.requestId === requestId && l.method !== undefined);
    if (line) return line.code;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

describe("a call whose caller goes away", () => {
  it("past its deadline, cancels the command waiting on a row lock, rolls it back and is logged DEADLINE_EXCEEDED", async () => {
    const acme = await as(newTenant());
    const ada = await hire(acme);
    const release = await holdLock("SELECT 1 FROM employees WHERE id = $1 FOR UPDATE", [ada.id]);
    const update = {
      requestId: randomUUID(),
      employee: { ...ada, givenName: "Augusta" },
      updateMask: ["given_name"],
    };
    const metadata = withRequestId(acme, update.requestId);
    try {
      await expectError(employees.updateEmployee(update, { metadata, deadline: 400 }), Status.DEADLINE_EXCEEDED);
      await becomes(waitingStatements, 0, "statements still waiting on the lock");
    } finally {
      await release();
    }
    expect(await loggedCode(update.requestId)).toBe("DEADLINE_EXCEEDED");
    expect((await employees.getEmployee({ id: ada.id }, acme)).employee?.givenName).toBe("Ada");
    // Nothing of the first attempt was kept: the same request id runs afresh.
    expect((await employees.updateEmployee(update, acme)).employee?.givenName).toBe("Augusta");
  });

  it("cancelled, cancels a read waiting on a table lock and is logged CANCELLED", async () => {
    const acme = await as(newTenant());
    const ada = await hire(acme);
    const release = await holdLock("LOCK TABLE employees IN ACCESS EXCLUSIVE MODE", []);
    const requestId = randomUUID();
    const abort = new AbortController();
    try {
      const read = employees.getEmployee(
        { id: ada.id },
        { metadata: withRequestId(acme, requestId), signal: abort.signal },
      );
      const settled = read.then(
        () => "answered",
        (error: Error) => error.name,
      );
      await becomes(waitingStatements, 1, "the read waiting on the lock");
      abort.abort();
      expect(await settled).toBe("AbortError");
      await becomes(waitingStatements, 0, "statements still waiting on the lock");
    } finally {
      await release();
    }
    expect(await loggedCode(requestId)).toBe("CANCELLED");
  });
});
