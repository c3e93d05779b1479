import { type Sql, sql } from "../db/sql.js";
import { type Event, encodeEvent, payloadTypeOf } from "./envelope.js";
import { EVENTS_CHANNEL } from "./events-database.js";

/**
 * The parked events of every consumer, in the events database whatever the
 * transport: one operator command lists and replays them. A row is an event
 * that failed its last attempt; a replay request marks it, the consumer's
 * active replica delivers it again and removes it once handled.
 */
export interface ParkedEvent {
  consumer: string;
  eventId: string;
  stream: string;
  eventType: string;
  lastError: string;
  attempts: number;
  parkedAt: Date;
  replayRequestedAt: Date | null;
}

const PARK = sql(`
  INSERT INTO parked_event (consumer, event_id, stream, event_type, payload, last_error, attempts)
  VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (consumer, event_id) DO UPDATE SET
    last_error = excluded.last_error,
    attempts = parked_event.attempts + excluded.attempts,
    parked_at = now(),
    replay_requested_at = NULL`);

/** Parks `event` for `consumer` (again, after a failed replay: attempts add up). */
export async function parkEvent(db: Sql, consumer: string, event: Event, error: string, attempts: number) {
  await db.count(PARK, [
    consumer,
    event.eventId,
    event.stream,
    payloadTypeOf(event),
    Buffer.from(encodeEvent(event)),
    error,
    attempts,
  ]);
}

const LIST = sql(`
  SELECT consumer, event_id AS "eventId", stream, event_type AS "eventType", last_error AS "lastError",
         attempts, parked_at AS "parkedAt", replay_requested_at AS "replayRequestedAt"
  FROM parked_event ORDER BY consumer, parked_at, event_id`);

export function listParked(db: Sql): Promise<ParkedEvent[]> {
  return db.rows<ParkedEvent>(LIST);
}

const COUNT = sql("SELECT count(*)::int AS parked FROM parked_event WHERE consumer = $1");

/** How many events `consumer` has parked now. */
export async function countParked(db: Sql, consumer: string): Promise<number> {
  return (await db.rows<{ parked: number }>(COUNT, [consumer]))[0]?.parked ?? 0;
}

const REQUEST_REPLAY = sql(`
  WITH marked AS (
    UPDATE parked_event SET replay_requested_at = now()
    WHERE consumer = $1 AND (cardinality($2::uuid[]) = 0 OR event_id = ANY ($2::uuid[]))
    RETURNING event_id
  )
  SELECT event_id AS "eventId", pg_notify('${EVENTS_CHANNEL}', 'replay') IS NULL AS notified FROM marked`);

/** Asks the consumer to deliver its parked events again (all, or those ids); returns the ids marked. */
export async function requestReplay(db: Sql, consumer: string, eventIds: readonly string[]): Promise<string[]> {
  const rows = await db.rows<{ eventId: string }>(REQUEST_REPLAY, [consumer, eventIds]);
  return rows.map((row) => row.eventId);
}

const REPLAYS = sql(`
  SELECT payload FROM parked_event
  WHERE consumer = $1 AND replay_requested_at IS NOT NULL
  ORDER BY parked_at, event_id LIMIT 100`);

/** The parked events of `consumer` an operator asked to replay, oldest parked first. */
export async function replaysOf(db: Sql, consumer: string): Promise<Uint8Array[]> {
  return (await db.rows<{ payload: Buffer }>(REPLAYS, [consumer])).map((row) => row.payload);
}

const UNPARK = sql("DELETE FROM parked_event WHERE consumer = $1 AND event_id = $2");

/** Removes a parked event its consumer has now handled. */
export async function unpark(db: Sql, consumer: string, eventId: string): Promise<void> {
  await db.count(UNPARK, [consumer, eventId]);
}
