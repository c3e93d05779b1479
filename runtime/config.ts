/**
 * Configuration every process shares, read once from environment variables.
 * Each variable and its default is listed in the README; defaults suit a
 * laptop, production sets the keys (a process with NODE_ENV=production
 * refuses to start on the development keys).
 */

import type { JWTVerifyGetKey } from "jose";
import { readPublicKeys } from "./auth/public-keys.js";
import type { ThrottlePolicy } from "./client/overload-throttle.js";
import type { RetentionPolicy } from "./db/idempotency-retention.js";
import type { SqlTimeouts } from "./db/sql.js";

export interface AuthConfig {
  /** Expected `iss` claim. */
  issuer: string;
  /** Expected `aud` claim. */
  audience: string;
  /** The public keys (a JWKS) caller tokens are verified with; no process but session holds a private key. */
  publicKeys: JWTVerifyGetKey;
  /** Longest time from now to `exp` a caller token may have (its `iat` may not lie ahead). */
  maxTokenLifetimeSeconds: number;
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
  /** The furthest deadline a call keeps, received or sent: a later one is capped to it. */
  maxDeadlineMs: number;
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
  admission: AdmissionConfig;
  /** How the platform's clients hold back calls while a server refuses them for overload. */
  clientThrottle: ThrottlePolicy;
}

/**
 * Load shedding of business calls (runtime/server/admission.ts): how many may
 * run at once (an adaptive limit between min and max), how many may wait and
 * for how long. A maxLimit of 0 turns it off.
 */
export interface AdmissionConfig {
  minLimit: number;
  maxLimit: number;
  initialLimit: number;
  queueSize: number;
  maxWaitMs: number;
  /** A call with less time than this left before its deadline is refused before any work. */
  minDeadlineMs: number;
}

/**
 * The furthest deadline a call keeps (MAX_DEADLINE_MS): a later one, from a
 * client or a header, is brought in to it, far below what timers can hold.
 */
export const DEFAULT_MAX_DEADLINE_MS = 300_000;

type Env = Record<string, string | undefined>;

export function readRuntimeConfig(env: Env = process.env): RuntimeConfig {
  return {
    host: env.LISTEN_HOST ?? "127.0.0.1",
    logLevel: env.LOG_LEVEL ?? "info",
    shutdownDelayMs: readInt(env, "SHUTDOWN_DELAY_MS", 0),
    shutdownGraceMs: readInt(env, "SHUTDOWN_GRACE_MS", 10_000),
    readinessIntervalMs: readInt(env, "HEALTH_CHECK_INTERVAL_MS", 1_000),
    defaultDeadlineMs: readInt(env, "DEFAULT_DEADLINE_MS", 12_000),
    maxDeadlineMs: readInt(env, "MAX_DEADLINE_MS", DEFAULT_MAX_DEADLINE_MS),
    maxConcurrentStreams: readPositiveInt(env, "GRPC_MAX_CONCURRENT_STREAMS", 100),
    auth: {
      issuer: env.AUTH_JWT_ISSUER ?? "hr-platform",
      audience: env.AUTH_JWT_AUDIENCE ?? "hr-api",
      publicKeys: readPublicKeys(env),
      // Access tokens live at most 15 minutes; a longer-lived token (a
      // development one, say) is accepted only where this is raised on purpose.
      maxTokenLifetimeSeconds: readInt(env, "AUTH_MAX_TOKEN_LIFETIME_SECONDS", 900),
    },
    admission: {
      minLimit: readInt(env, "ADMISSION_MIN_LIMIT", 8),
      maxLimit: readInt(env, "ADMISSION_MAX_LIMIT", 256),
      initialLimit: readInt(env, "ADMISSION_INITIAL_LIMIT", 32),
      queueSize: readInt(env, "ADMISSION_QUEUE_SIZE", 128),
      maxWaitMs: readInt(env, "ADMISSION_MAX_WAIT_MS", 1_000),
      minDeadlineMs: readInt(env, "ADMISSION_MIN_DEADLINE_MS", 5),
    },
    clientThrottle: {
      ratio: readNumber(env, "CLIENT_THROTTLE_RATIO", 1.2),
      windowSeconds: readPositiveInt(env, "CLIENT_THROTTLE_WINDOW_SECONDS", 10),
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

/**
 * The key that signs a data service's page tokens (at least 32 bytes). Every
 * replica of a service needs the same one, or a next page fails on another
 * replica; production refuses the development key.
 */
export const DEVELOPMENT_PAGE_TOKEN_KEY = "development-only-page-token-key-0123456789";

export function readPageTokenKey(env: Env = process.env): string {
  const key = env.PAGE_TOKEN_KEY || DEVELOPMENT_PAGE_TOKEN_KEY;
  if (env.NODE_ENV === "production" && key === DEVELOPMENT_PAGE_TOKEN_KEY) {
    throw new Error("PAGE_TOKEN_KEY must be set in production");
  }
  if (Buffer.byteLength(key) < 32) throw new Error("PAGE_TOKEN_KEY must be at least 32 bytes");
  return key;
}

export function readInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

/** A non-negative number, fractions allowed. */
function readNumber(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
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
