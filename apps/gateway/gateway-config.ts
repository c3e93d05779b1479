import { readInt } from "../../runtime/config.js";

type Env = Record<string, string | undefined>;

/** What the edge is told by its environment; each variable is listed in the README. */
export interface GatewayConfig {
  port: number;
  /** gRPC target ("host:port") of each application package ("hr.session.v1"): the only per-service fact, and it is configuration. */
  upstreams: ReadonlyMap<string, string>;
  /** Budget of a call whose client asked for none (or for more). */
  deadlineMs: number;
  /** Budgets by method path ("/hr.session.v1.SessionService/Login"), overriding `deadlineMs`. */
  methodDeadlines: ReadonlyMap<string, number>;
  /** A call with less budget than this left is answered 504 without reaching an upstream. */
  minBudgetMs: number;
  /** Largest request body accepted; a larger one is 413. */
  maxBodyBytes: number;
  limits: RateLimits;
  /** Failed sign-ins allowed per client address and tenant (credential-attempts.ts). */
  credentialAttempts: CredentialAttemptsConfig;
  /**
   * Proxies in front of the edge whose `X-Forwarded-For` entries are trusted
   * (client-address.ts). 0: the socket's remote address is the client's, and
   * the header is ignored, since any client can write it.
   */
  trustedProxies: number;
  /** Origins whose browser scripts may call the edge (CORS); empty: no CORS headers at all. */
  corsOrigins: readonly string[];
  isolation: UpstreamIsolationConfig;
  /** JSON file splitting version-less calls between versions (versions-file.ts); none: each family's oldest version. */
  versionsFile: string | undefined;
  /** How often the versions file's status is checked for a change. */
  versionsPollMs: number;
  /** Sampled capture of calls for replay (traffic-capture.ts); off without a file. */
  capture: CaptureConfig;
}

export interface CaptureConfig {
  /** JSON-lines file the capture appends to; undefined: no capture. */
  file: string | undefined;
  /** Share of calls captured, 0 to 1. */
  sample: number;
  /** Lines waiting to be written, in bytes, beyond which new lines are dropped. */
  bufferBytes: number;
}

/**
 * Calls allowed per window: per client address, counted before the edge
 * reads the body or verifies a token; then per tenant and per caller
 * (signed-in user, or client address when anonymous), once the token is verified.
 */
export interface RateLimits {
  addressCalls: number;
  addressWindowSeconds: number;
  tenantCalls: number;
  callerCalls: number;
  windowSeconds: number;
  /** Where the counts are shared by every replica ("redis://host:6379"); unset: each process counts in its own memory. */
  redisUrl: string | undefined;
  /** Put before every key the limits write to Redis, so they meet no other user's keys there. */
  redisKeyPrefix: string;
}

/** Methods whose UNAUTHENTICATED answers are failed sign-ins, and how many of those an address may spend per tenant. */
export interface CredentialAttemptsConfig {
  /**
   * Method path ("/hr.session.v1.SessionService/Login") to the request field
   * naming the tenant, if any ("tenantId"). Undefined: every method the
   * contracts make public (callable without a token: sign-in), with its
   * `tenant_id` field when it has one (credential-attempts.ts).
   */
  methods: ReadonlyMap<string, string | undefined> | undefined;
  /** Failed attempts per address and tenant in a window; past them, the method is refused 429 before reaching upstream. */
  failures: number;
  windowSeconds: number;
}

/** What each upstream (each distinct gRPC target) is given on its own, so that one slow or dead upstream cannot hold the others' capacity. */
export interface UpstreamIsolationConfig {
  /** Calls in flight to one upstream at once (the bulkhead). */
  concurrency: number;
  /** Calls that may wait for one of those slots; beyond them a call is refused at once. */
  queue: number;
  /** Consecutive unhealthy answers (unavailable, or the full budget spent) that open the upstream's circuit. */
  breakerFailures: number;
  /** How long an open circuit refuses every call before it lets one trial call through. */
  halfOpenMs: number;
}

export function readGatewayConfig(env: Env = process.env): GatewayConfig {
  return {
    port: readInt(env, "GATEWAY_PORT", 8080),
    upstreams: pairs(env, "GATEWAY_UPSTREAMS", (target) => target),
    deadlineMs: readInt(env, "GATEWAY_DEADLINE_MS", 12_000),
    methodDeadlines: new Map(
      [...pairs(env, "GATEWAY_METHOD_DEADLINES", (ms, name) => milliseconds(ms, name))].map(([method, ms]) => [
        method.startsWith("/") ? method : `/${method}`,
        ms,
      ]),
    ),
    minBudgetMs: readInt(env, "GATEWAY_MIN_BUDGET_MS", 5),
    maxBodyBytes: readInt(env, "GATEWAY_MAX_BODY_BYTES", 1024 * 1024),
    limits: {
      addressCalls: atLeastOne(env, "GATEWAY_ADDRESS_LIMIT", 200),
      addressWindowSeconds: atLeastOne(env, "GATEWAY_ADDRESS_WINDOW_SECONDS", 1),
      tenantCalls: readInt(env, "GATEWAY_TENANT_LIMIT", 200),
      callerCalls: readInt(env, "GATEWAY_CALLER_LIMIT", 50),
      windowSeconds: readInt(env, "GATEWAY_LIMIT_WINDOW_SECONDS", 1),
      redisUrl: redisUrl(env.REDIS_URL),
      redisKeyPrefix: env.GATEWAY_REDIS_KEY_PREFIX?.trim() || "hr-gateway:rate",
    },
    credentialAttempts: {
      methods: credentialMethods(env.GATEWAY_CREDENTIAL_METHODS?.trim() || undefined),
      failures: atLeastOne(env, "GATEWAY_CREDENTIAL_FAILURES", 20),
      windowSeconds: atLeastOne(env, "GATEWAY_CREDENTIAL_WINDOW_SECONDS", 600),
    },
    trustedProxies: readInt(env, "GATEWAY_TRUSTED_PROXIES", 0),
    corsOrigins: corsOrigins(env.GATEWAY_CORS_ORIGINS),
    isolation: {
      concurrency: atLeastOne(env, "GATEWAY_UPSTREAM_CONCURRENCY", 100),
      queue: readInt(env, "GATEWAY_UPSTREAM_QUEUE", 100),
      breakerFailures: atLeastOne(env, "GATEWAY_BREAKER_FAILURES", 5),
      halfOpenMs: readInt(env, "GATEWAY_BREAKER_HALF_OPEN_MS", 5_000),
    },
    versionsFile: env.GATEWAY_VERSIONS_FILE || undefined,
    versionsPollMs: readInt(env, "GATEWAY_VERSIONS_POLL_MS", 1000),
    capture: {
      file: env.GATEWAY_CAPTURE_FILE || undefined,
      sample: share(env, "GATEWAY_CAPTURE_SAMPLE", 1),
      bufferBytes: atLeastOne(env, "GATEWAY_CAPTURE_BUFFER_BYTES", 4 * 1024 * 1024),
    },
  };
}

/** A share from 0 to 1 ("0.05"). */
function share(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!(value >= 0 && value <= 1)) throw new Error(`${name} must be a share from 0 to 1, got "${raw}"`);
  return value;
}

/** "key=value,key=value" into a map; a malformed entry stops the start, not a request. */
function pairs<T>(env: Env, name: string, parse: (value: string, name: string) => T): Map<string, T> {
  const map = new Map<string, T>();
  for (const entry of (env[name] ?? "").split(",")) {
    if (entry.trim() === "") continue;
    const at = entry.indexOf("=");
    if (at <= 0 || at === entry.length - 1) throw new Error(`${name}: "${entry}" is not key=value`);
    map.set(entry.slice(0, at).trim(), parse(entry.slice(at + 1).trim(), name));
  }
  return map;
}

function atLeastOne(env: Env, name: string, fallback: number): number {
  const value = readInt(env, name, fallback);
  if (value === 0) throw new Error(`${name} must be at least 1`);
  return value;
}

function milliseconds(raw: string, name: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name}: "${raw}" is not a number of milliseconds`);
  return value;
}

/**
 * "/pkg.Service/Method=tenantField,/pkg.Service/Other": each credential
 * method, with the request field that names the tenant when there is one
 * (without, the attempts are counted per address only); "none": no method.
 * Whether each exists is checked against the contracts at the start.
 */
function credentialMethods(raw: string | undefined): Map<string, string | undefined> | undefined {
  if (raw === undefined) return undefined;
  const methods = new Map<string, string | undefined>();
  if (raw === "none") return methods;
  for (const entry of raw.split(",")) {
    const [method = "", field] = entry.split("=").map((part) => part.trim());
    if (method === "") continue;
    if (field === "") throw new Error(`GATEWAY_CREDENTIAL_METHODS: "${entry}" names no tenant field after "="`);
    methods.set(method.startsWith("/") ? method : `/${method}`, field);
  }
  return methods;
}

function redisUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (url?.protocol !== "redis:" && url?.protocol !== "rediss:") {
    throw new Error(`REDIS_URL: "${raw}" is not a redis:// or rediss:// URL`);
  }
  return raw.trim();
}

/**
 * "https://hr.example.com,http://localhost:5173": exact origins only. A
 * wildcard would let any site's scripts call the API with a user's token
 * they obtained, so it is refused, as is anything that is not an origin.
 */
function corsOrigins(raw: string | undefined): string[] {
  const origins: string[] = [];
  for (const entry of (raw ?? "").split(",")) {
    const origin = entry.trim();
    if (origin === "") continue;
    const url = URL.canParse(origin) ? new URL(origin) : undefined;
    if (url === undefined || url.origin !== origin || !["http:", "https:"].includes(url.protocol)) {
      throw new Error(`GATEWAY_CORS_ORIGINS: "${origin}" is not an origin such as https://hr.example.com`);
    }
    origins.push(origin);
  }
  return origins;
}
