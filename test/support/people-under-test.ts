import { randomUUID } from "node:crypto";
import { pino } from "pino";
import { inject } from "vitest";
import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { DepartmentServiceDefinition } from "../../generated/proto/hr/organization/v1/department_service.js";
import { createServiceClient, openChannel } from "../../runtime/client/service-client.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import { createDatabaseFromTemplate, databaseUrl, dropDatabase } from "../../runtime/db/databases.js";
import type { RunningServer } from "../../runtime/server/grpc-server.js";
import { openPeopleDatabase, type PeopleDatabase } from "../../services/people/people-database.js";
import { startPeopleServer } from "../../services/people/people-server.js";
import { testConfig } from "./callers.js";

export interface PeopleUnderTest {
  address: string;
  server: RunningServer;
  db: PeopleDatabase;
  /** URL of this test file's own database, for direct checks and fault injection. */
  databaseUrl: string;
  departments: ReturnType<typeof createServiceClient<typeof DepartmentServiceDefinition>>;
  employees: ReturnType<typeof createServiceClient<typeof EmployeeServiceDefinition>>;
  stop(): Promise<void>;
}

/** A real people server on a free port over a fresh database cloned from the migrated template. */
export async function startPeople(config: RuntimeConfig = testConfig): Promise<PeopleUnderTest> {
  const serverUrl = inject("postgresServerUrl");
  const name = `hr_test_people_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  await createDatabaseFromTemplate(serverUrl, name, inject("templateDatabases").people ?? "");
  const url = databaseUrl(serverUrl, name);
  const db = openPeopleDatabase(url, 5);
  const server = await startPeopleServer({
    db,
    port: 0,
    config,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
  });
  const address = `127.0.0.1:${server.port}`;
  const channel = openChannel(address);
  // Tests see every failure as it happens: no retries unless a test asks for them.
  const policy = { defaultDeadlineMs: 10_000, maxAttempts: 1 };
  return {
    address,
    server,
    db,
    databaseUrl: url,
    departments: createServiceClient(DepartmentServiceDefinition, channel, policy),
    employees: createServiceClient(EmployeeServiceDefinition, channel, policy),
    async stop() {
      channel.close();
      await server.stop();
      await db.$disconnect();
      await dropDatabase(serverUrl, name);
    },
  };
}
