import type { Logger } from "pino";
import { type SqlDatabase, sql } from "../db/sql.js";
import { countPublished, watchRelay } from "../metrics/event-metrics.js";
import type { DataServiceName } from "../platform.js";
import { holdWhileActive } from "./active-lock.js";
import { DeliveryCounts } from "./counts.js";
import { Doorbell } from "./doorbell.js";
import type { EventsSettings } from "./events-config.js";
import { OUTBOX_CHANNEL } from "./outbox.js";
import type { OutboxEntry, Transport } from "./transport.js";

const BATCH = 100;
const PURGE_EVERY_MS = 60_000;

const UNPUBLISHED = sql(`
  SELECT position::text AS position, event_id AS "eventId", tenant_id AS "tenantId",
         aggregate_type AS "aggregateType", aggregate_id AS "aggregateId", event_type AS "eventType",
         payload, occurred_at AS "occurredAt"
  FROM outbox_event WHERE published_at IS NULL ORDER BY position LIMIT $1`);
const MARK_PUBLISHED = sql("UPDATE outbox_event SET published_at = now() WHERE position = ANY ($1::bigint[])");
const PURGE = sql(`
  DELETE FROM outbox_event WHERE position = ANY (ARRAY (
    SELECT position FROM outbox_event
    WHERE published_at < now() - make_interval(secs => $1::double precision)
    LIMIT 1000))`);
const LAG = sql(`
  SELECT count(*)::int AS unpublished,
         coalesce(extract(epoch FROM now() - min(occurred_at)) * 1000, 0)::bigint::text AS "oldestUnpublishedMs"
  FROM outbox_event WHERE published_at IS NULL`);

type Row = OutboxEntry & { position: string };

export interface RelayOptions {
  stream: DataServiceName;
  /** The data service's database: its pool, and its URL for the relay's lock and LISTEN connection. */
  db: SqlDatabase;
  databaseUrl: string;
  /**
   * The bus, opened when this relay becomes active (and again after a failed
   * attempt): a bus that is down at start delays publishing, not the service.
   */
  transport: () => Promise<Transport>;
  settings: Pick<EventsSettings, "pollIntervalMs" | "retentionMs" | "statsIntervalMs">;
  logger: Logger;
  /** Runs after the bus accepted a batch, before it is marked published (tests inject a crash here). */
  afterPublish?: (eventIds: readonly string[]) => Promise<void>;
}

export interface RunningRelay {
  /** Settles once this relay is active, or knows another replica is. */
  readonly firstAttempt: Promise<void>;
  readonly counts: DeliveryCounts;
  stop(): Promise<void>;
}

/**
 * Publishes a data service's outbox: the active replica (a PostgreSQL
 * advisory lock on the service's database; the others wait) reads the
 * unpublished rows in position order, hands them to the bus, and marks them
 * published once the bus holds them. At least once: a crash between the two
 * publishes the batch again, and the bus ignores the event ids it holds. It
 * wakes on the NOTIFY each outbox insert sends at commit, and polls as well
 * (a missed notification, a bus that was down). Published rows are deleted
 * after the retention.
 */
export function startRelay(options: RelayOptions): RunningRelay {
  const { stream, db, settings, logger } = options;
  const log = logger.child({ relay: stream });
  const counts = new DeliveryCounts(log, settings.statsIntervalMs, "relay counts", countPublished(stream));
  const lag = async () => (await db.rows<{ unpublished: number; oldestUnpublishedMs: string }>(LAG))[0];
  counts.measureLag(async () => (await lag()) ?? {});
  const unwatch = watchRelay(stream, async () => {
    const row = await lag();
    return { unpublished: row?.unpublished ?? 0, oldestUnpublishedMs: Number(row?.oldestUnpublishedMs ?? 0) };
  });
  let lastPurge = 0;

  async function publishAll(transport: Transport, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const rows = await db.rows<Row>(UNPUBLISHED, [BATCH]);
      if (rows.length === 0) return;
      await transport.publish(stream, rows);
      await options.afterPublish?.(rows.map((row) => row.eventId));
      await db.count(MARK_PUBLISHED, [rows.map((row) => row.position)]);
      counts.add("published", rows.length);
      if (rows.length < BATCH) return;
    }
  }

  async function purgeIfDue(transport: Transport): Promise<void> {
    if (Date.now() - lastPurge < PURGE_EVERY_MS) return;
    lastPurge = Date.now();
    let purged = 0;
    for (;;) {
      const deleted = await db.count(PURGE, [settings.retentionMs / 1000]);
      purged += deleted;
      if (deleted < 1000) break;
    }
    const trimmed = await transport.trim(stream, settings.retentionMs);
    if (purged + trimmed > 0) log.info({ purged, trimmed }, "published events past their retention deleted");
  }

  const active = holdWhileActive(
    options.databaseUrl,
    `hr.events.relay:${stream}`,
    settings.pollIntervalMs,
    log,
    async (client, lost) => {
      const transport = await options.transport();
      const bell = new Doorbell();
      client.on("notification", () => bell.ring());
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      const stopping = new AbortController();
      const signal = AbortSignal.any([lost, stopping.signal]);
      log.info("relay active");
      const loop = (async () => {
        while (!signal.aborted) {
          try {
            await publishAll(transport, signal);
            await purgeIfDue(transport);
          } catch (error) {
            if (!signal.aborted) log.warn({ err: error }, "relaying the outbox failed; trying again");
          }
          await bell.wait(settings.pollIntervalMs, signal);
        }
      })();
      return async () => {
        stopping.abort();
        await loop;
      };
    },
  );
  return {
    firstAttempt: active.firstAttempt,
    counts,
    async stop() {
      unwatch();
      await active.stop();
      await counts.stop();
    },
  };
}
