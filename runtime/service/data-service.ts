import type { Logger } from "pino";
import type { Env, RuntimeConfig } from "../config.js";
import { readRetentionPolicy, readSqlTimeouts } from "../db/db-config.js";
import { startRecordPurge } from "../db/idempotency-retention.js";
import { migrateDatabase } from "../db/migrate.js";
import { openSqlDatabase, type SqlDatabase } from "../db/sql.js";
import { readEventsSettings } from "../events/events-config.js";
import { startServiceRelay } from "../events/service-relay.js";
import { watchPool } from "../metrics/pool-metrics.js";
import { type DataServiceName, databaseOf, portOf } from "../platform.js";
import { type RunningServer, type ServedService, startGrpcServer, stopOnSignals } from "../server/grpc-server.js";
import { startProcess } from "../server/process-start.js";

/**
 * What makes a data service itself: its name (which also names its
 * migrations, services/<name>/prisma, and its variables, <NAME>_PORT and
 * <NAME>_DATABASE_URL), and its contexts, each a generated service definition
 * with its handlers over the service's database. Everything else of a start
 * (configuration, migration, pool, server, purge, shutdown) is runDataService's.
 */
export interface DataService<Settings = undefined> {
  name: DataServiceName;
  /** The service's own settings from its own slice (identity: sign-in throttle); none for most. */
  settings?: (env: Env) => Settings;
  contexts(db: SqlDatabase, settings: Settings, logger: Logger): ServedService[];
}

/** A data service's server over a database the caller opened: the process's and the tests' one wiring. */
export function startDataServer<Settings>(
  service: DataService<Settings>,
  options: { db: SqlDatabase; port: number; config: RuntimeConfig; logger: Logger; settings?: Settings },
): Promise<RunningServer> {
  const settings = options.settings ?? (service.settings?.({}) as Settings);
  return startGrpcServer({
    name: service.name,
    port: options.port,
    config: options.config,
    logger: options.logger,
    readiness: () => options.db.ping(),
    services: service.contexts(options.db, settings, options.logger),
  });
}

/**
 * A data service's process entry point: reads and checks its configuration,
 * migrates its database, serves its contexts, relays its outbox to the bus,
 * purges expired request ids, and stops on SIGTERM/SIGINT (server, relay,
 * purge, pool, in that order).
 */
export async function runDataService<Settings>(service: DataService<Settings>): Promise<void> {
  const { config, settings, logger } = startProcess(service.name, (env) => {
    const database = databaseOf(service.name, env);
    return {
      port: portOf(service.name, env),
      databaseUrl: database.url,
      poolSize: database.poolSize,
      sqlTimeouts: readSqlTimeouts(env),
      retention: readRetentionPolicy(env),
      events: readEventsSettings(env),
      own: service.settings?.(env) as Settings,
    };
  });
  await migrateDatabase(service.name, settings.databaseUrl);
  const db = openSqlDatabase(settings.databaseUrl, settings.poolSize, settings.sqlTimeouts);
  const unwatchPool = watchPool(service.name, db.pool);
  const server = await startDataServer(service, { db, port: settings.port, config, logger, settings: settings.own });
  const relay = await startServiceRelay(service.name, db, settings.databaseUrl, settings.events, logger);
  const stopPurge = startRecordPurge(db, settings.retention, logger);
  stopOnSignals(logger, async () => {
    stopPurge();
    await server.stop();
    await relay?.stop();
    unwatchPool();
    await db.end();
  });
}
