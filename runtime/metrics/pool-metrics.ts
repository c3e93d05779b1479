import type pg from "pg";
import { liveGauges } from "./live-sources.js";

const watchPools = liveGauges(["service_process"], {
  total: { name: "db_pool_connections", help: "Connections the database pool holds now, busy and idle" },
  idle: { name: "db_pool_idle_connections", help: "Pooled connections idle now" },
  waiting: {
    name: "db_pool_waiting_requests",
    help: "Queries and transactions waiting for a pooled connection now (the pool is exhausted while this stays above 0)",
  },
  max: { name: "db_pool_max_connections", help: "The pool's size (<NAME>_DATABASE_POOL_SIZE)" },
});

/** Shows a data service's pool while it is open; returns how to stop showing it. */
export function watchPool(serviceProcess: string, pool: pg.Pool): () => void {
  return watchPools({ service_process: serviceProcess }, () => ({
    total: pool.totalCount,
    idle: pool.idleCount,
    waiting: pool.waitingCount,
    max: pool.options.max ?? 10,
  }));
}
