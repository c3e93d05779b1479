import type { Channel, CompatServiceDefinition } from "nice-grpc";
import type { Logger } from "pino";
import { createServiceClient, openChannel } from "../../runtime/client/service-client.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import { openSqlDatabase, type SqlDatabase } from "../../runtime/db/sql.js";
import type { RunningServer } from "../../runtime/server/grpc-server.js";
import { testClientPolicy, testLogger } from "./callers.js";
import { cloneServiceDatabase } from "./database-under-test.js";

export interface ServiceUnderTest<Rows> {
  address: string;
  server: RunningServer;
  /** The service's generated Prisma client on the same database, for tests that check stored rows directly. */
  db: Rows;
  /** The SQL layer the server runs on, for tests of a repository on its own. */
  sql: SqlDatabase;
  /** URL of this test file's own database, for direct checks and fault injection. */
  databaseUrl: string;
  channel: Channel;
  stop(): Promise<void>;
}

export interface ServerOptions {
  db: SqlDatabase;
  port: number;
  config: RuntimeConfig;
  logger: Logger;
}

/**
 * A data service's real server on a free port over a fresh database cloned
 * from its migrated template, built with the service's own wiring.
 */
export async function startServiceUnderTest<Rows extends { $disconnect(): Promise<void> }>(
  service: string,
  openRows: (url: string) => Rows,
  startServer: (options: ServerOptions) => Promise<RunningServer>,
  config: RuntimeConfig,
  logger: Logger = testLogger(),
): Promise<ServiceUnderTest<Rows>> {
  const database = await cloneServiceDatabase(service);
  const sql = openSqlDatabase(database.url, 5);
  const rows = openRows(database.url);
  const server = await startServer({ db: sql, port: 0, config, logger });
  const address = `127.0.0.1:${server.port}`;
  const channel = openChannel(address);
  return {
    address,
    server,
    db: rows,
    sql,
    databaseUrl: database.url,
    channel,
    async stop() {
      channel.close();
      await server.stop();
      await sql.end();
      await rows.$disconnect();
      await database.drop();
    },
  };
}

/** A generated client with the tests' call policy (no retries). */
export function testClient<D extends CompatServiceDefinition>(definition: D, channel: Channel) {
  return createServiceClient(definition, channel, testClientPolicy);
}
