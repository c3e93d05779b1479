import type { Logger } from "pino";
import { type SqlDatabase, sql } from "../db/sql.js";
import type { DataServiceName } from "../platform.js";
import { type Deliverer, deliverUntilDone } from "./delivery.js";
import { decodeEvent } from "./envelope.js";
import { EVENTS_CHANNEL } from "./events-database.js";
import type { ConsumeContext, OutboxEntry, Transport } from "./transport.js";

const OPEN_HEAD = sql("INSERT INTO stream_head (stream, seq) VALUES ($1, 0) ON CONFLICT (stream) DO NOTHING");
// The head's row lock orders appends to a stream, should two relays ever overlap.
const LOCK_HEAD = sql("SELECT seq FROM stream_head WHERE stream = $1 FOR UPDATE");
const APPEND = sql(`
  INSERT INTO stream_entry (stream, seq, event_id, tenant_id, aggregate_type, aggregate_id, event_type, payload, occurred_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
  ON CONFLICT (event_id) DO NOTHING`);
const MOVE_HEAD = sql(`UPDATE stream_head SET seq = $2 WHERE stream = $1`);
const NOTIFY = sql(`SELECT pg_notify('${EVENTS_CHANNEL}', $1)`);
const ENTRIES = sql(`
  SELECT seq, payload FROM stream_entry WHERE stream = $1 AND seq > $2 ORDER BY seq LIMIT $3`);
const CURSOR = sql("SELECT seq FROM consumer_cursor WHERE consumer = $1 AND stream = $2");
const SAVE_CURSOR = sql(`
  INSERT INTO consumer_cursor (consumer, stream, seq) VALUES ($1, $2, $3)
  ON CONFLICT (consumer, stream) DO UPDATE SET seq = excluded.seq, update_time = now()`);
const BEHIND = sql(`
  SELECT h.stream, h.seq - coalesce(c.seq, 0) AS behind
  FROM stream_head h LEFT JOIN consumer_cursor c ON c.consumer = $1 AND c.stream = h.stream
  WHERE h.stream = ANY ($2::text[])`);
const TRIM = sql(`
  DELETE FROM stream_entry WHERE ctid = ANY (ARRAY (
    SELECT ctid FROM stream_entry
    WHERE stream = $1 AND appended_at < now() - make_interval(secs => $2::double precision)
    LIMIT 1000))`);

const BATCH = 100;

/**
 * The default bus: the events database. A stream is the rows of
 * `stream_entry` numbered 1, 2, 3... without gaps (an event id already held
 * takes no number: a republish is ignored); a consumer's cursor per stream is
 * the last number it is done with, saved after each event (at least once: a
 * crash before the save redelivers that one event). Appends notify, so
 * consumers wake at once; they also poll.
 */
export class PostgresTransport implements Transport {
  constructor(
    private readonly db: SqlDatabase,
    private readonly logger: Logger,
  ) {}

  async publish(stream: DataServiceName, entries: readonly OutboxEntry[]): Promise<void> {
    await this.db.count(OPEN_HEAD, [stream]);
    await this.db.transaction(async (tx) => {
      const [head] = await tx.rows<{ seq: string }>(LOCK_HEAD, [stream]);
      let seq = Number(head?.seq ?? 0);
      for (const entry of entries) {
        const appended = await tx.count(APPEND, [
          stream,
          seq + 1,
          entry.eventId,
          entry.tenantId,
          entry.aggregateType,
          entry.aggregateId,
          entry.eventType,
          Buffer.from(entry.payload),
          entry.occurredAt,
        ]);
        seq += appended;
      }
      await tx.count(MOVE_HEAD, [stream, seq]);
      await tx.rows(NOTIFY, [stream]);
    });
  }

  async consume(
    name: string,
    streams: readonly DataServiceName[],
    deliverer: Deliverer,
    context: ConsumeContext,
  ): Promise<{ stop(): Promise<void> }> {
    const { signal, bell, pollIntervalMs } = context;
    const loop = (async () => {
      while (!signal.aborted) {
        try {
          for (const stream of streams) await this.drain(name, stream, deliverer, signal);
        } catch (error) {
          if (!signal.aborted) this.logger.warn({ err: error }, "consuming the events database failed; trying again");
        }
        await bell.wait(pollIntervalMs, signal);
      }
    })();
    return { stop: () => loop };
  }

  /** Delivers every entry of `stream` past the consumer's cursor, in order. */
  private async drain(name: string, stream: string, deliverer: Deliverer, signal: AbortSignal): Promise<void> {
    const [cursor] = await this.db.rows<{ seq: string }>(CURSOR, [name, stream]);
    let seq = Number(cursor?.seq ?? 0);
    for (;;) {
      const rows = await this.db.rows<{ seq: string; payload: Buffer }>(ENTRIES, [stream, seq, BATCH]);
      for (const row of rows) {
        if (signal.aborted) return;
        if ((await deliverUntilDone(deliverer, decodeEvent(row.payload), signal)) === undefined) return;
        seq = Number(row.seq);
        await this.db.count(SAVE_CURSOR, [name, stream, seq]);
      }
      if (rows.length < BATCH) return;
    }
  }

  async behind(name: string, streams: readonly DataServiceName[]): Promise<Record<string, number>> {
    const rows = await this.db.rows<{ stream: string; behind: string }>(BEHIND, [name, streams]);
    return Object.fromEntries(rows.map((row) => [row.stream, Number(row.behind)]));
  }

  async trim(stream: DataServiceName, retentionMs: number): Promise<number> {
    let trimmed = 0;
    for (;;) {
      const deleted = await this.db.count(TRIM, [stream, retentionMs / 1000]);
      trimmed += deleted;
      if (deleted < 1000) return trimmed;
    }
  }

  async close(): Promise<void> {}
}
