import { openSqlDatabase, type SqlDatabase } from "../db/sql.js";

/**
 * The events database: one per platform, on the same PostgreSQL server as
 * the data services' (`<DATABASE_NAME_PREFIX>events`). It holds what the bus
 * keeps outside any data service: the stream entries of the PostgreSQL
 * transport (per stream a gap-free sequence, written by that stream's one
 * active relay; `stream_head` holds its last number, so trimming old
 * entries never reuses one), each consumer's cursor per stream, and the parked events
 * of both transports. It belongs to the runtime, not to a context, so its
 * tables are created here (idempotently, under a lock so concurrent starts
 * do not race) rather than by a data service's migrations.
 */
const SCHEMA = `
  SELECT pg_advisory_xact_lock(hashtextextended('hr.events.schema', 0));
  CREATE TABLE IF NOT EXISTS stream_entry (
    stream text NOT NULL,
    seq bigint NOT NULL,
    event_id uuid NOT NULL UNIQUE,
    tenant_id text NOT NULL,
    aggregate_type text NOT NULL,
    aggregate_id text NOT NULL,
    event_type text NOT NULL,
    payload bytea NOT NULL,
    occurred_at timestamptz NOT NULL,
    appended_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (stream, seq)
  );
  CREATE TABLE IF NOT EXISTS stream_head (
    stream text PRIMARY KEY,
    seq bigint NOT NULL
  );
  CREATE INDEX IF NOT EXISTS stream_entry_appended_at ON stream_entry (appended_at);
  CREATE TABLE IF NOT EXISTS consumer_cursor (
    consumer text NOT NULL,
    stream text NOT NULL,
    seq bigint NOT NULL,
    update_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, stream)
  );
  CREATE TABLE IF NOT EXISTS parked_event (
    consumer text NOT NULL,
    event_id uuid NOT NULL,
    stream text NOT NULL,
    event_type text NOT NULL,
    payload bytea NOT NULL,
    last_error text NOT NULL,
    attempts integer NOT NULL,
    parked_at timestamptz NOT NULL DEFAULT now(),
    replay_requested_at timestamptz,
    PRIMARY KEY (consumer, event_id)
  );
`;

/** The channel a stream append and a replay request notify, so waiting consumers wake at once. */
export const EVENTS_CHANNEL = "hr_events";

/** Opens the events database and makes sure its tables exist. */
export async function openEventsDatabase(url: string, poolSize = 4): Promise<SqlDatabase> {
  const db = openSqlDatabase(url, poolSize, { connectTimeoutMs: 3_000, statementTimeoutMs: 30_000 });
  try {
    const client = await db.pool.connect();
    try {
      await client.query(`BEGIN; ${SCHEMA} COMMIT;`);
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  } catch (error) {
    await db.end();
    throw error;
  }
  return db;
}
