import type { Logger } from "pino";
import { type SqlDatabase, sql } from "./sql.js";

/**
 * Keeps idempotency_records bounded: a request id is remembered for
 * `retentionMs` (a client retries within minutes; 7 days by default covers
 * any sane retry policy), then forgotten. Records are deleted in small
 * batches so a purge never holds many row locks or a long transaction.
 */
export interface RetentionPolicy {
  retentionMs: number;
  /** How often the purge runs. */
  intervalMs: number;
  /** Rows deleted per statement. */
  batchSize: number;
}

const PURGE_BATCH = sql(`
  DELETE FROM idempotency_records WHERE ctid = ANY (ARRAY (
    SELECT ctid FROM idempotency_records
    WHERE create_time < now() - make_interval(secs => $1::double precision)
    LIMIT $2
  ))`);

/** Deletes every record older than the retention, batch by batch; returns how many went. */
export async function purgeExpiredRecords(db: SqlDatabase, policy: RetentionPolicy): Promise<number> {
  let purged = 0;
  for (;;) {
    const deleted = await db.count(PURGE_BATCH, [policy.retentionMs / 1000, policy.batchSize]);
    purged += deleted;
    if (deleted < policy.batchSize) return purged;
  }
}

/** Runs the purge every `intervalMs` in the background; the returned function stops it. */
export function startRecordPurge(db: SqlDatabase, policy: RetentionPolicy, logger: Logger): () => void {
  let busy = false;
  const timer = setInterval(() => {
    // A purge still running when the next tick comes (a huge backlog) is left to finish.
    if (busy) return;
    busy = true;
    purgeExpiredRecords(db, policy)
      .then((purged) => {
        if (purged > 0) logger.info({ purged }, "expired idempotency records purged");
      })
      .catch((error: unknown) => logger.warn({ err: error }, "idempotency record purge failed; next try later"))
      .finally(() => {
        busy = false;
      });
  }, policy.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
