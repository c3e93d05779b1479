import type pg from "pg";

// What the relay has done, read from the people database's outbox table
// (migration outbox_event): the backlog it has not published yet, and how
// many rows it marked published within a window of wall-clock time.

export async function unpublished(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM outbox_event WHERE published_at IS NULL",
  );
  return rows[0]?.n ?? 0;
}

/** Rows marked published in [from, to) (PostgreSQL's now() at the relay's update, on the same machine clock). */
export async function publishedBetween(pool: pg.Pool, from: Date, to: Date): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM outbox_event WHERE published_at >= $1 AND published_at < $2",
    [from, to],
  );
  return rows[0]?.n ?? 0;
}
