import type { Logger } from "pino";
import type { SqlDatabase } from "../db/sql.js";
import type { EventsSettings } from "./events-config.js";
import { NatsTransport } from "./nats-transport.js";
import { PostgresTransport } from "./postgres-transport.js";
import type { Transport } from "./transport.js";

/** The transport the settings select; `eventsDb` is needed by the PostgreSQL one. */
export async function openTransport(
  settings: EventsSettings,
  eventsDb: SqlDatabase | undefined,
  logger: Logger,
): Promise<Transport> {
  if (settings.natsUrl !== undefined)
    return NatsTransport.connect(settings.natsUrl, settings.natsPrefix, settings.retentionMs, logger);
  if (eventsDb === undefined) throw new Error("the PostgreSQL transport needs the events database");
  return new PostgresTransport(eventsDb, logger);
}
