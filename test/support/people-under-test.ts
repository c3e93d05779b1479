import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { DepartmentServiceDefinition } from "../../generated/proto/hr/organization/v1/department_service.js";
import { createServiceClient, openChannel } from "../../runtime/client/service-client.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import type { RunningServer } from "../../runtime/server/grpc-server.js";
import { openPeopleDatabase, type PeopleDatabase } from "../../services/people/people-database.js";
import { startPeopleServer } from "../../services/people/people-server.js";
import { testClientPolicy, testConfig, testLogger } from "./callers.js";
import { cloneServiceDatabase } from "./database-under-test.js";

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
  const database = await cloneServiceDatabase("people");
  const url = database.url;
  const db = openPeopleDatabase(url, 5);
  const server = await startPeopleServer({
    db,
    port: 0,
    config,
    logger: testLogger(),
  });
  const address = `127.0.0.1:${server.port}`;
  const channel = openChannel(address);
  return {
    address,
    server,
    db,
    databaseUrl: url,
    departments: createServiceClient(DepartmentServiceDefinition, channel, testClientPolicy),
    employees: createServiceClient(EmployeeServiceDefinition, channel, testClientPolicy),
    async stop() {
      channel.close();
      await server.stop();
      await db.$disconnect();
      await database.drop();
    },
  };
}
