import type { Logger } from "pino";
import type { SqlDatabase } from "../db/sql.js";
import type { DataServiceName } from "../platform.js";
import type { EventsSettings } from "./events-config.js";
import { openEventsDatabase } from "./events-database.js";
import { openTransport } from "./open-transport.js";
import { type RelayOptions, type RunningRelay, startRelay } from "./relay.js";
import type { Transport } from "./transport.js";

/**
 * The relay of a data service's process, on the transport its environment
 * selects; undefined (with a warning) when no events database and no NATS
 * are configured: the outbox then only fills, for a relay started later.
 * Resolves once the relay is active or waiting; a bus that cannot be
 * reached is tried again every poll interval while the service serves.
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
  let opened: { transport: Transport; eventsDb: SqlDatabase | undefined } | undefined;
  const transport = async (): Promise<Transport> => {
    if (opened !== undefined) return opened.transport;
    // JetStream needs no events database to publish; the PostgreSQL transport is one.
    const url = settings.natsUrl === undefined ? settings.databaseUrl : undefined;
    const eventsDb = url === undefined ? undefined : await openEventsDatabase(url);
    try {
      opened = { transport: await openTransport(settings, eventsDb, logger), eventsDb };
    } catch (error) {
      await eventsDb?.end();
      throw error;
    }
    return opened.transport;
  };
  const relay = startRelay({ stream, db, databaseUrl, transport, settings, logger, afterPublish });
  await relay.firstAttempt;
  let stopped: Promise<void> | undefined;
  const stop = async () => {
    await relay.stop();
    await opened?.transport.close();
    await opened?.eventsDb?.end();
  };
  // Stopping twice (a signal during a test's own stop) waits for the first stop.
  return { ...relay, stop: () => (stopped ??= stop()) };
}
