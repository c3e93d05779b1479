import { ApplicationServiceDefinition } from "../../generated/proto/hr/candidacy/v1/application_service.js";
import { JobOpeningServiceDefinition } from "../../generated/proto/hr/requisition/v1/job_opening_service.js";
import { createServiceClient, openChannel } from "../../runtime/client/service-client.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import type { RunningServer } from "../../runtime/server/grpc-server.js";
import { openTalentDatabase, type TalentDatabase } from "../../services/talent/talent-database.js";
import { startTalentServer } from "../../services/talent/talent-server.js";
import { testClientPolicy, testConfig, testLogger } from "./callers.js";
import { cloneServiceDatabase } from "./database-under-test.js";

export interface TalentUnderTest {
  address: string;
  server: RunningServer;
  db: TalentDatabase;
  /** URL of this test file's own database, for direct checks and fault injection. */
  databaseUrl: string;
  jobOpenings: ReturnType<typeof createServiceClient<typeof JobOpeningServiceDefinition>>;
  applications: ReturnType<typeof createServiceClient<typeof ApplicationServiceDefinition>>;
  stop(): Promise<void>;
}

/** A real talent server on a free port over a fresh database cloned from the migrated template. */
export async function startTalent(config: RuntimeConfig = testConfig): Promise<TalentUnderTest> {
  const database = await cloneServiceDatabase("talent");
  const url = database.url;
  const db = openTalentDatabase(url, 5);
  const server = await startTalentServer({
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
    jobOpenings: createServiceClient(JobOpeningServiceDefinition, channel, testClientPolicy),
    applications: createServiceClient(ApplicationServiceDefinition, channel, testClientPolicy),
    async stop() {
      channel.close();
      await server.stop();
      await db.$disconnect();
      await database.drop();
    },
  };
}
