import type { Channel, CompatServiceDefinition } from "nice-grpc";
import type { Logger } from "pino";
import { createServiceClient, openChannel } from "../../runtime/client/service-client.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import type { RunningServer } from "../../runtime/server/grpc-server.js";
import { testClientPolicy, testLogger } from "./callers.js";
import { cloneServiceDatabase } from "./database-under-test.js";

export interface ServiceUnderTest<Db> {
  address: string;
  server: RunningServer;
  db: Db;
  /** URL of this test file's own database, for direct checks and fault injection. */
  databaseUrl: string;
  channel: Channel;
  stop(): Promise<void>;
}

/**
 * A data service's real server on a free port over a fresh database cloned
 * from its migrated template, built with the service's own wiring.
 */
export async function startServiceUnderTest<Db extends { $disconnect(): Promise<void> }>(
  service: string,
  openDatabase: (url: string, poolSize: number) => Db,
  startServer: (options: { db: Db; port: number; config: RuntimeConfig; logger: Logger }) => Promise<RunningServer>,
  config: RuntimeConfig,
): Promise<ServiceUnderTest<Db>> {
  const database = await cloneServiceDatabase(service);
  const db = openDatabase(database.url, 5);
  const server = await startServer({ db, port: 0, config, logger: testLogger() });
  const address = `127.0.0.1:${server.port}`;
  const channel = openChannel(address);
  return {
    address,
    server,
    db,
    databaseUrl: database.url,
    channel,
    async stop() {
      channel.close();
      await server.stop();
      await db.$disconnect();
      await database.drop();
    },
  };
}

/** A generated client with the tests' call policy (no retries). */
export function testClient<D extends CompatServiceDefinition>(definition: D, channel: Channel) {
  return createServiceClient(definition, channel, testClientPolicy);
}
