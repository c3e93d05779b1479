import type { Logger } from "pino";
import type { SqlDatabase } from "../db/sql.js";
import type { DataServiceName } from "../platform.js";
import type { EventsSettings } from "./events-config.js";
import { openEventsDatabase } from "./events-database.js";
import { openTransport } from "./open-transport.js";
import { type RelayOptions, type RunningRelay, startRelay } from "./relay.js";

/**
 * The relay of a data service's process, on the transport its environment
 * selects; undefined (with a warning) when no events database and no NATS
 * are configured: the outbox then only fills, for a relay started later.
 */
export async function startServiceRelay(
  stream: DataServiceName,
  db: SqlDatabase,
  databaseUrl: string,
  settings: EventsSettings,
  logger: Logger,
  afterPublish?: RelayOptions["afterPublish"],
): Promise<RunningRelay | undefined> {
  if (settings.databaseUrl === undefined && settings.natsUrl === undefined) {
    logger.warn("EVENTS_DATABASE_URL and NATS_URL unset: no relay runs; events stay in the outbox");
    return undefined;
  }
  // JetStream needs no events database to publish; the PostgreSQL transport is one.
  const eventsDb =
    settings.natsUrl === undefined && settings.databaseUrl !== undefined
      ? await openEventsDatabase(settings.databaseUrl)
      : undefined;
  const transport = await openTransport(settings, eventsDb, logger);
  const relay = startRelay({ stream, db, databaseUrl, transport, settings, logger, afterPublish });
  await relay.firstAttempt;
  let stopped: Promise<void> | undefined;
  const stop = async () => {
    await relay.stop();
    await transport.close();
    await eventsDb?.end();
  };
  // Stopping twice (a signal during a test's own stop) waits for the first stop.
  return { ...relay, stop: () => (stopped ??= stop()) };
}
