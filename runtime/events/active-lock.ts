import pg from "pg";
import type { Logger } from "pino";

/** Work started while this replica holds the lock; the function it returns stops that work. */
export type ActiveWork = (client: pg.Client, lost: AbortSignal) => Promise<() => Promise<void>>;

export interface HeldLock {
  /** Settles after the first try: the work started, or another replica holds the lock. */
  readonly firstAttempt: Promise<void>;
  /** Stops the work (if running) and releases the lock. */
  stop(): Promise<void>;
}

/**
 * One active replica among several: the work runs only while this process
 * holds PostgreSQL session advisory lock `key` on `url`'s database. The
 * others try again every `retryMs`. The lock lives on a connection of its
 * own (given to the work, e.g. for LISTEN); when that connection dies the
 * lock is gone with it, so the work is told (`lost`), stopped, and the
 * replica goes back to waiting.
 */
export function holdWhileActive(url: string, key: string, retryMs: number, logger: Logger, work: ActiveWork): HeldLock {
  let stopping = false;
  let wake: () => void = () => {};
  let resolveFirst: () => void = () => {};
  const firstAttempt = new Promise<void>((resolve) => {
    resolveFirst = resolve;
  });

  async function holdOnce(): Promise<void> {
    // keepAlive: a peer gone without a FIN (a partition) ends the session, and the lock with it, in bounded time.
    const client = new pg.Client({ connectionString: url, keepAlive: true });
    const lost = new AbortController();
    client.on("error", (error) => lost.abort(error));
    client.on("end", () => lost.abort(new Error("the lock's connection ended")));
    try {
      await client.connect();
      const [row] = (await client.query("SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS held", [key])).rows;
      if (!row?.held) return;
      const stopWork = await work(client, lost.signal);
      resolveFirst();
      await new Promise<void>((resolve) => {
        wake = resolve;
        lost.signal.addEventListener("abort", () => resolve(), { once: true });
        if (stopping) resolve();
      });
      if (lost.signal.aborted && !stopping) logger.warn({ err: lost.signal.reason, key }, "active lock lost; waiting");
      await stopWork();
    } catch (error) {
      if (!stopping) logger.warn({ err: error, key }, "active lock attempt failed; trying again");
    } finally {
      // Ending the session releases the advisory lock.
      await client.end().catch(() => {});
    }
  }

  const loop = (async () => {
    while (!stopping) {
      await holdOnce();
      resolveFirst();
      if (stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, retryMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();

  return {
    firstAttempt,
    async stop() {
      stopping = true;
      wake();
      await loop;
    },
  };
}
