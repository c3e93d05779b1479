/**
 * Configuration every process shares, read once from environment variables.
 * Each variable and its default is listed in the README; defaults suit a
 * laptop, production sets the secrets (a process with NODE_ENV=production
 * refuses to start on the development secret).
 */

import type { RetentionPolicy } from "./db/idempotency-retention.js";
import type { SqlTimeouts } from "./db/sql.js";

export const DEVELOPMENT_JWT_SECRET = "development-only-secret-change-me-0123456789";

export interface AuthConfig {
  /** HS256 key that signs caller tokens (at least 32 bytes). */
  jwtSecret: string;
  /** Expected `iss` claim. */
  issuer: string;
  /** Expected `aud` claim. */
  audience: string;
}

export interface RuntimeConfig {
  /** Interface the gRPC servers bind to. */
  host: string;
  /** pino level: trace, debug, info, warn, error, fatal or silent. */
  logLevel: string;
  /**
   * How long a stopping server keeps answering while reporting NOT_SERVING, so
   * load balancers and readiness probes stop sending it calls first.
   */
  shutdownDelayMs: number;
  /** How long a stopping server then waits for in-flight calls before cutting them. */
  shutdownGraceMs: number;
  /** How often a data service checks that its database answers, for its health status. */
  readinessIntervalMs: number;
  /** Deadline a client call gets when its caller set none. */
  defaultDeadlineMs: number;
  /**
   * HTTP/2 streams (calls) one client connection may have open on a server at
   * once, and calls the platform's clients keep open on one channel (the rest
   * wait in the client, see client/calls-in-flight.ts). Node's HTTP/2 closes a
   * connection whose client resets more than about 1,000 streams in a burst
   * (nghttp2's guard against the "rapid reset" attack, CVE-2023-44487, which
   * Node 20 cannot tune), failing every other call on it: a bound well below
   * that keeps a client's burst of cancellations under the guard.
   */
  maxConcurrentStreams: number;
  auth: AuthConfig;
}

type Env = Record<string, string | undefined>;

export function readRuntimeConfig(env: Env = process.env): RuntimeConfig {
  const jwtSecret = env.AUTH_JWT_SECRET ?? DEVELOPMENT_JWT_SECRET;
  if (env.NODE_ENV === "production" && jwtSecret === DEVELOPMENT_JWT_SECRET) {
    throw new Error("AUTH_JWT_SECRET must be set in production");
  }
  if (Buffer.byteLength(jwtSecret) < 32) throw new Error("AUTH_JWT_SECRET must be at least 32 bytes");
  return {
    host: env.LISTEN_HOST ?? "127.0.0.1",
    logLevel: env.LOG_LEVEL ?? "info",
    shutdownDelayMs: readInt(env, "SHUTDOWN_DELAY_MS", 0),
    shutdownGraceMs: readInt(env, "SHUTDOWN_GRACE_MS", 10_000),
    readinessIntervalMs: readInt(env, "HEALTH_CHECK_INTERVAL_MS", 1_000),
    defaultDeadlineMs: readInt(env, "DEFAULT_DEADLINE_MS", 12_000),
    maxConcurrentStreams: readPositiveInt(env, "GRPC_MAX_CONCURRENT_STREAMS", 100),
    auth: {
      jwtSecret,
      issuer: env.AUTH_JWT_ISSUER ?? "hr-platform",
      audience: env.AUTH_JWT_AUDIENCE ?? "hr-api",
    },
  };
}

/** Connect and statement timeouts of a data service's database pool. */
export function readSqlTimeouts(env: Env = process.env): SqlTimeouts {
  return {
    connectTimeoutMs: readInt(env, "DATABASE_CONNECT_TIMEOUT_MS", 3_000),
    statementTimeoutMs: readInt(env, "DATABASE_STATEMENT_TIMEOUT_MS", 10_000),
  };
}

/** How long a data service remembers request ids, and how often it forgets expired ones. */
export function readRetentionPolicy(env: Env = process.env): RetentionPolicy {
  return {
    retentionMs: readInt(env, "IDEMPOTENCY_RETENTION_HOURS", 7 * 24) * 3_600_000,
    intervalMs: readInt(env, "IDEMPOTENCY_PURGE_INTERVAL_MS", 60_000),
    batchSize: 1_000,
  };
}

export function readInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

function readPositiveInt(env: Env, name: string, fallback: number): number {
  const value = readInt(env, name, fallback);
  if (value === 0) throw new Error(`${name} must be at least 1`);
  return value;
}

export function readRequired(env: Env, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}
