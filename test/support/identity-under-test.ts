import { AccountServiceDefinition } from "../../generated/proto/hr/identity/v1/account_service.js";
import { createServiceClient, openChannel } from "../../runtime/client/service-client.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import type { RunningServer } from "../../runtime/server/grpc-server.js";
import { type IdentityDatabase, openIdentityDatabase } from "../../services/identity/identity-database.js";
import { startIdentityServer } from "../../services/identity/identity-server.js";
import { testClientPolicy, testConfig, testLogger } from "./callers.js";
import { cloneServiceDatabase } from "./database-under-test.js";

export interface IdentityUnderTest {
  address: string;
  server: RunningServer;
  db: IdentityDatabase;
  /** URL of this test file's own database, for direct checks and fault injection. */
  databaseUrl: string;
  accounts: ReturnType<typeof createServiceClient<typeof AccountServiceDefinition>>;
  stop(): Promise<void>;
}

/** A real identity server on a free port over a fresh database cloned from the migrated template. */
export async function startIdentity(config: RuntimeConfig = testConfig): Promise<IdentityUnderTest> {
  const database = await cloneServiceDatabase("identity");
  const url = database.url;
  const db = openIdentityDatabase(url, 5);
  const server = await startIdentityServer({ db, port: 0, config, logger: testLogger() });
  const address = `127.0.0.1:${server.port}`;
  const channel = openChannel(address);
  return {
    address,
    server,
    db,
    databaseUrl: url,
    accounts: createServiceClient(AccountServiceDefinition, channel, testClientPolicy),
    async stop() {
      channel.close();
      await server.stop();
      await db.$disconnect();
      await database.drop();
    },
  };
}
