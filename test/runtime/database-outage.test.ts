import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createChannel, createClient, Status } from "nice-grpc";
import {
  HealthCheckResponse_ServingStatus,
  HealthDefinition,
} from "nice-grpc-server-health/lib/proto/grpc/health/v1/health.js";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { DepartmentServiceDefinition } from "../../generated/proto/hr/organization/v1/department_service.js";
import { databaseUrl, ensureDatabase } from "../../runtime/db/databases.js";
import { migrateDatabase } from "../../runtime/db/migrate.js";
import { type PostgresServer, startEmbeddedPostgres } from "../../runtime/db/postgres-server.js";
import { openSqlDatabase, type SqlDatabase } from "../../runtime/db/sql.js";
import type { RunningServer } from "../../runtime/server/grpc-server.js";
import { startDataServer } from "../../runtime/service/data-service.js";
import { peopleService } from "../../services/people/people-service.js";
import { as, newTenant, testConfig, testLogger } from "../support/callers.js";
import { freePort } from "../support/free-port.js";
import { expectError } from "../support/grpc-errors.js";
import { childrenOf } from "../support/process-children.js";
import { testClient } from "../support/service-under-test.js";

// A PostgreSQL of this file's own, stopped and started again under a running
// people server: the outage answers UNAVAILABLE (retryable) and health says
// NOT_SERVING; once PostgreSQL is back the same server answers again, with
// nothing lost or duplicated for a retried command.

const config = { ...testConfig, readinessIntervalMs: 100 };
let dataDir: string;
let port: number;
let postgres: PostgresServer;
let db: SqlDatabase;
let server: RunningServer;
let channel: ReturnType<typeof createChannel>;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "hr-outage-pg-"));
  port = await freePort();
  postgres = await startEmbeddedPostgres({ dataDir, port });
  await ensureDatabase(postgres.serverUrl, "hr_people");
  const url = databaseUrl(postgres.serverUrl, "hr_people");
  await migrateDatabase("people", url);
  db = openSqlDatabase(url, 2, { connectTimeoutMs: 1_000, statementTimeoutMs: 5_000 });
  server = await startDataServer(peopleService, { db, port: 0, config, logger: testLogger() });
  channel = createChannel(`127.0.0.1:${server.port}`);
}, 120_000);

afterAll(async () => {
  channel?.close();
  await server?.stop();
  await db?.end();
  await postgres?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** Polls the overall health status until it is `expected`; fails after 10 s. */
async function healthBecomes(expected: HealthCheckResponse_ServingStatus): Promise<void> {
  const health = createClient(HealthDefinition, channel);
  for (let i = 0; i < 100; i++) {
    if ((await health.check({ service: "" })).status === expected) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`health never became ${HealthCheckResponse_ServingStatus[expected]}`);
}

describe("a database outage", () => {
  it("answers UNAVAILABLE and NOT_SERVING while PostgreSQL is down, then serves again without a restart", async () => {
    const acme = await as(newTenant());
    const departments = createClient(DepartmentServiceDefinition, channel);
    const employees = createClient(EmployeeServiceDefinition, channel);
    const { department } = await departments.createDepartment(
      { requestId: randomUUID(), name: "Ops", code: "OPS" },
      acme,
    );
    const hire = {
      requestId: randomUUID(),
      ...{ givenName: "Ada", familyName: "Lovelace", workEmail: "ada@example.com", jobTitle: "" },
      ...{ departmentId: department?.id ?? "", managerId: "", hireDate: "2026-01-05" },
    };
    await healthBecomes(HealthCheckResponse_ServingStatus.SERVING);

    await postgres.stop();
    await expectError(employees.hireEmployee(hire, acme), Status.UNAVAILABLE);
    await expectError(employees.listEmployees({ pageSize: 10 }, acme), Status.UNAVAILABLE);
    await healthBecomes(HealthCheckResponse_ServingStatus.NOT_SERVING);

    postgres = await startEmbeddedPostgres({ dataDir, port });
    await healthBecomes(HealthCheckResponse_ServingStatus.SERVING);
    const first = await employees.hireEmployee(hire, acme);
    const retried = await employees.hireEmployee(hire, acme);
    expect(retried).toEqual(first);
    const { employees: listed } = await employees.listEmployees({ pageSize: 10 }, acme);
    expect(listed.map((e) => e.id)).toEqual([first.employee?.id]);
  }, 60_000);

  it("answers UNAVAILABLE for a statement PostgreSQL cancels at the statement timeout, and keeps nothing of it", async () => {
    const acme = await as(newTenant());
    const departments = createClient(DepartmentServiceDefinition, channel);
    const employees = createClient(EmployeeServiceDefinition, channel);
    const { department } = await departments.createDepartment(
      { requestId: randomUUID(), name: "Ops", code: "OPS" },
      acme,
    );
    const hire = {
      requestId: randomUUID(),
      ...{ givenName: "Grace", familyName: "Hopper", workEmail: "grace@example.com", jobTitle: "" },
      ...{ departmentId: department?.id ?? "", managerId: "", hireDate: "2026-01-05" },
    };
    // The hire reads its department FOR SHARE: a lock held elsewhere makes it wait past the 5 s timeout.
    const holder = new pg.Client({ connectionString: databaseUrl(postgres.serverUrl, "hr_people") });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT 1 FROM departments WHERE id = $1::uuid FOR UPDATE", [department?.id]);
      const refused = await expectError(employees.hireEmployee(hire, acme), Status.UNAVAILABLE);
      expect(refused.message).toMatch(/retry later/);
    } finally {
      await holder.query("ROLLBACK");
      await holder.end();
    }
    const { employees: listed } = await employees.listEmployees({ pageSize: 10 }, acme);
    expect(listed).toEqual([]);
    expect((await employees.hireEmployee(hire, acme)).employee?.givenName).toBe("Grace");
  }, 60_000);

  it("serves a method again once PostgreSQL thaws, though its first call ever outlived its deadline in the freeze", async () => {
    const acme = await as(newTenant());
    // The platform's client: it sends the deadline in the header the server's admission reads.
    const departments = testClient(DepartmentServiceDefinition, channel);
    // The postmaster's pid is the first line of postmaster.pid; its backends are its children.
    const postmaster = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    const frozen = [postmaster, ...childrenOf(postmaster)];
    for (const pid of frozen) process.kill(pid, "SIGSTOP");
    try {
      // No call of this server has listed departments before: this one is the method's first.
      const gone = departments.listDepartments({ pageSize: 10 }, { ...acme, deadline: 1_000 });
      await expectError(gone, Status.DEADLINE_EXCEEDED);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    } finally {
      for (const pid of frozen) process.kill(pid, "SIGCONT");
    }
    // The handler finishes after the thaw, 2 s after it began, for no one. A 1.5 s deadline is
    // plenty for a list: it must not be refused as "less than the 2000 ms this method needs".
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { departments: listed } = await departments.listDepartments({ pageSize: 10 }, { ...acme, deadline: 1_500 });
    expect(listed).toEqual([]);
  }, 60_000);
});
