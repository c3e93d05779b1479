import { LeaveAccountServiceDefinition } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { createServiceClient, openChannel } from "../../runtime/client/service-client.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import type { RunningServer } from "../../runtime/server/grpc-server.js";
import { openTimeoffDatabase, type TimeoffDatabase } from "../../services/timeoff/timeoff-database.js";
import { startTimeoffServer } from "../../services/timeoff/timeoff-server.js";
import { testClientPolicy, testConfig, testLogger } from "./callers.js";
import { cloneServiceDatabase } from "./database-under-test.js";

export interface TimeoffUnderTest {
  address: string;
  server: RunningServer;
  db: TimeoffDatabase;
  /** URL of this test file's own database, for direct checks and fault injection. */
  databaseUrl: string;
  leaveAccounts: ReturnType<typeof createServiceClient<typeof LeaveAccountServiceDefinition>>;
  stop(): Promise<void>;
}

/** A real timeoff server on a free port over a fresh database cloned from the migrated template. */
export async function startTimeoff(config: RuntimeConfig = testConfig): Promise<TimeoffUnderTest> {
  const database = await cloneServiceDatabase("timeoff");
  const url = database.url;
  const db = openTimeoffDatabase(url, 5);
  const server = await startTimeoffServer({ db, port: 0, config, logger: testLogger() });
  const address = `127.0.0.1:${server.port}`;
  const channel = openChannel(address);
  return {
    address,
    server,
    db,
    databaseUrl: url,
    leaveAccounts: createServiceClient(LeaveAccountServiceDefinition, channel, testClientPolicy),
    async stop() {
      channel.close();
      await server.stop();
      await db.$disconnect();
      await database.drop();
    },
  };
}
