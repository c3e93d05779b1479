import { ConfigError, configSlice, type Env, integer, text } from "../config.js";
import type { RetentionPolicy } from "./idempotency-retention.js";
import type { SqlTimeouts } from "./sql.js";

/** A data service's database pool and idempotency records. */
export const databaseVariables = configSlice("data services", {
  DATABASE_CONNECT_TIMEOUT_MS: integer(
    3_000,
    "how long a call waits to open a database connection before it is answered UNAVAILABLE",
  ),
  DATABASE_STATEMENT_TIMEOUT_MS: integer(
    10_000,
    "PostgreSQL cancels a statement running longer (`statement_timeout`) and the call is answered UNAVAILABLE; `0` for none",
  ),
  IDEMPOTENCY_RETENTION_HOURS: integer(
    7 * 24,
    "how long a request id is remembered; older idempotency records are purged",
  ),
  IDEMPOTENCY_PURGE_INTERVAL_MS: integer(
    60_000,
    "how often the service purges expired idempotency records (in batches of 1,000)",
  ),
});

/**
 * The key that signs a data service's page tokens (at least 32 bytes). Every
 * replica of a service needs the same one, or a next page fails on another
 * replica; production refuses the development key.
 */
export const DEVELOPMENT_PAGE_TOKEN_KEY = "development-only-page-token-key-0123456789";

export const pageTokenVariables = configSlice("data services", {
  PAGE_TOKEN_KEY: text(
    undefined,
    "HMAC key (≥ 32 bytes) that signs page tokens; the same on every replica of a service; unset: a development key, refused when `NODE_ENV=production`",
  ),
});

/** Connect and statement timeouts of a data service's database pool. */
export function readSqlTimeouts(env?: Env): SqlTimeouts {
  const v = databaseVariables.read(env);
  return { connectTimeoutMs: v.DATABASE_CONNECT_TIMEOUT_MS, statementTimeoutMs: v.DATABASE_STATEMENT_TIMEOUT_MS };
}

/** How long a data service remembers request ids, and how often it forgets expired ones. */
export function readRetentionPolicy(env?: Env): RetentionPolicy {
  const v = databaseVariables.read(env);
  return {
    retentionMs: v.IDEMPOTENCY_RETENTION_HOURS * 3_600_000,
    intervalMs: v.IDEMPOTENCY_PURGE_INTERVAL_MS,
    batchSize: 1_000,
  };
}

export function readPageTokenKey(env: Env = process.env): string {
  const key = pageTokenVariables.read(env).PAGE_TOKEN_KEY ?? DEVELOPMENT_PAGE_TOKEN_KEY;
  if (env.NODE_ENV === "production" && key === DEVELOPMENT_PAGE_TOKEN_KEY) {
    throw new ConfigError("PAGE_TOKEN_KEY must be set in production");
  }
  if (Buffer.byteLength(key) < 32) throw new ConfigError("PAGE_TOKEN_KEY must be at least 32 bytes");
  return key;
}
