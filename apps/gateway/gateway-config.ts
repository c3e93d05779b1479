import { grpcTarget } from "../../runtime/client/grpc-target.js";
import { atLeastOne, configSlice, type Env, integer, share, text } from "../../runtime/config.js";
import { portOf } from "../../runtime/platform.js";

/** What the edge is told by its environment; each variable is listed in docs/configuration.md. */
export interface GatewayConfig {
  port: number;
  /**
   * gRPC target of each application package ("hr.session.v1"): one address,
   * every replica's ("ipv4:127.0.0.1:50056,127.0.0.1:50156"), or a name
   * ("dns:///session:50056"); the only per-service fact, and it is configuration.
   */
  upstreams: ReadonlyMap<string, string>;
  /** Budget of a call whose client asked for none (or for more). */
  deadlineMs: number;
  /** Budgets by method path ("/hr.session.v1.SessionService/Login"), overriding `deadlineMs`. */
  methodDeadlines: ReadonlyMap<string, number>;
  /** A call with less budget than this left is answered 504 without reaching an upstream. */
  minBudgetMs: number;
  /** How long a server stream (a live watch) may stay open when its method has no entry in `methodDeadlines`. */
  streamMaxMs: number;
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

/** The edge's variables, each with its meaning and default; readGatewayConfig gives them their structure. */
export const gatewayVariables = configSlice("gateway", {
  GATEWAY_UPSTREAMS: text(
    undefined,
    "where each application contract is served: `hr.session.v1=127.0.0.1:50056,...` (set by `npm start`); several replicas: every address after the package (`hr.session.v1=127.0.0.1:50056,127.0.0.1:50156,hr.selfservice.v1=...`) or a name resolving to all (`dns:///session:50056`), called round-robin; a package without one is not exposed",
  ),
  GATEWAY_DEADLINE_MS: integer(
    12_000,
    "a call's budget when its method has no entry in `GATEWAY_METHOD_DEADLINES`; a client may ask for less (`connect-timeout-ms`), never more",
  ),
  GATEWAY_METHOD_DEADLINES: text(undefined, "per-method budgets: `hr.session.v1.SessionService/Login=3000,...`"),
  GATEWAY_MIN_BUDGET_MS: integer(5, "less budget than this is answered 504 without calling upstream"),
  GATEWAY_STREAM_MAX_MS: integer(
    300_000,
    "how long a server stream (a live watch) stays open when `GATEWAY_METHOD_DEADLINES` names no budget for it; then the edge ends it normally and the client watches again; keep it within the servers' `MAX_DEADLINE_MS`",
  ),
  GATEWAY_MAX_BODY_BYTES: integer(1024 * 1024, "largest request body; larger is 413"),
  GATEWAY_ADDRESS_LIMIT: atLeastOne(
    200,
    "calls per window per client address (IPv6 per /64), counted before anything else, bad bodies and bad tokens included",
  ),
  GATEWAY_ADDRESS_WINDOW_SECONDS: atLeastOne(1, "the address limit's window"),
  GATEWAY_TENANT_LIMIT: integer(200, "calls per window per tenant"),
  GATEWAY_CALLER_LIMIT: integer(50, "calls per window per caller (user, or client address without a token)"),
  GATEWAY_LIMIT_WINDOW_SECONDS: integer(1, "the tenant and caller limits' window"),
  REDIS_URL: text(
    undefined,
    "`redis://host:6379` (or `rediss://`): the rate limits are counted there, shared by every gateway replica; unset, each process counts in its own memory",
  ),
  GATEWAY_REDIS_KEY_PREFIX: text("hr-gateway:rate", "put before every key the limits write to Redis"),
  GATEWAY_CREDENTIAL_METHODS: text(
    undefined,
    "`/pkg.Service/Method=tenantField,...`: methods whose UNAUTHENTICATED answers count as failed sign-ins; unset: the contracts' public methods; `none`: off",
  ),
  GATEWAY_CREDENTIAL_FAILURES: atLeastOne(20, "failed sign-ins per address and tenant per window, before 429"),
  GATEWAY_CREDENTIAL_WINDOW_SECONDS: atLeastOne(600, "the failed sign-ins' window"),
  GATEWAY_TRUSTED_PROXIES: integer(
    0,
    "proxies in front of the edge whose `X-Forwarded-For` entries tell the client's address; `0`: the header is ignored",
  ),
  GATEWAY_CORS_ORIGINS: text(
    undefined,
    "origins whose browser scripts may call the edge: `https://hr.example.com,http://localhost:5173` (exact origins; `*` is refused); none: no CORS headers",
  ),
  GATEWAY_UPSTREAM_CONCURRENCY: atLeastOne(100, "per upstream target: calls in flight at once"),
  GATEWAY_UPSTREAM_QUEUE: integer(100, "per upstream target: calls waiting for a slot; beyond, 503 at once"),
  GATEWAY_BREAKER_FAILURES: atLeastOne(
    5,
    "consecutive unhealthy answers (UNAVAILABLE, or the whole budget spent) that open an upstream's circuit",
  ),
  GATEWAY_BREAKER_HALF_OPEN_MS: integer(5_000, "how long an open circuit refuses calls before one trial call"),
  GATEWAY_VERSIONS_FILE: text(
    undefined,
    "JSON file splitting version-less calls between a family's versions; none: each family's oldest released version",
  ),
  GATEWAY_VERSIONS_POLL_MS: integer(1_000, "how often the versions file is checked for a change"),
  GATEWAY_CAPTURE_FILE: text(undefined, "JSON-lines file the sampled capture is appended to; unset: no capture"),
  GATEWAY_CAPTURE_SAMPLE: share(1, "share of calls captured, `0` to `1`; only read with `GATEWAY_CAPTURE_FILE`"),
  GATEWAY_CAPTURE_BUFFER_BYTES: atLeastOne(
    4 * 1024 * 1024,
    "capture lines waiting to be written, in bytes, beyond which new lines are dropped and counted",
  ),
});

export function readGatewayConfig(env: Env = process.env): GatewayConfig {
  const v = gatewayVariables.read(env);
  return {
    port: portOf("gateway", env),
    upstreams: upstreamTargets(v.GATEWAY_UPSTREAMS),
    deadlineMs: v.GATEWAY_DEADLINE_MS,
    methodDeadlines: new Map(
      [...pairs("GATEWAY_METHOD_DEADLINES", v.GATEWAY_METHOD_DEADLINES, milliseconds)].map(([method, ms]) => [
        method.startsWith("/") ? method : `/${method}`,
        ms,
      ]),
    ),
    minBudgetMs: v.GATEWAY_MIN_BUDGET_MS,
    streamMaxMs: v.GATEWAY_STREAM_MAX_MS,
    maxBodyBytes: v.GATEWAY_MAX_BODY_BYTES,
    limits: {
      addressCalls: v.GATEWAY_ADDRESS_LIMIT,
      addressWindowSeconds: v.GATEWAY_ADDRESS_WINDOW_SECONDS,
      tenantCalls: v.GATEWAY_TENANT_LIMIT,
      callerCalls: v.GATEWAY_CALLER_LIMIT,
      windowSeconds: v.GATEWAY_LIMIT_WINDOW_SECONDS,
      redisUrl: redisUrl(v.REDIS_URL),
      redisKeyPrefix: v.GATEWAY_REDIS_KEY_PREFIX.trim() || "hr-gateway:rate",
    },
    credentialAttempts: {
      methods: credentialMethods(v.GATEWAY_CREDENTIAL_METHODS?.trim() || undefined),
      failures: v.GATEWAY_CREDENTIAL_FAILURES,
      windowSeconds: v.GATEWAY_CREDENTIAL_WINDOW_SECONDS,
    },
    trustedProxies: v.GATEWAY_TRUSTED_PROXIES,
    corsOrigins: corsOrigins(v.GATEWAY_CORS_ORIGINS),
    isolation: {
      concurrency: v.GATEWAY_UPSTREAM_CONCURRENCY,
      queue: v.GATEWAY_UPSTREAM_QUEUE,
      breakerFailures: v.GATEWAY_BREAKER_FAILURES,
      halfOpenMs: v.GATEWAY_BREAKER_HALF_OPEN_MS,
    },
    versionsFile: v.GATEWAY_VERSIONS_FILE,
    versionsPollMs: v.GATEWAY_VERSIONS_POLL_MS,
    capture: {
      file: v.GATEWAY_CAPTURE_FILE,
      sample: v.GATEWAY_CAPTURE_SAMPLE,
      bufferBytes: v.GATEWAY_CAPTURE_BUFFER_BYTES,
    },
  };
}

/** "key=value,key=value" into a map; a malformed entry stops the start, not a request. */
function pairs<T>(name: string, raw: string | undefined, parse: (value: string, name: string) => T): Map<string, T> {
  const map = new Map<string, T>();
  for (const entry of (raw ?? "").split(",")) {
    if (entry.trim() === "") continue;
    const at = entry.indexOf("=");
    if (at <= 0 || at === entry.length - 1) throw new Error(`${name}: "${entry}" is not key=value`);
    map.set(entry.slice(0, at).trim(), parse(entry.slice(at + 1).trim(), name));
  }
  return map;
}

/**
 * "pkg=address,address,pkg=target": an entry without "=" is one more replica
 * of the package before it, so a list of addresses needs no other separator.
 * Each package's addresses become one gRPC target (grpc-target.ts).
 */
function upstreamTargets(raw: string | undefined): Map<string, string> {
  const lists = new Map<string, string[]>();
  let last: string[] | undefined;
  for (const entry of (raw ?? "").split(",")) {
    if (entry.trim() === "") continue;
    const at = entry.indexOf("=");
    if (at < 0 && last !== undefined) {
      last.push(entry.trim());
      continue;
    }
    if (at <= 0 || at === entry.length - 1) throw new Error(`GATEWAY_UPSTREAMS: "${entry}" is not package=address`);
    last = [entry.slice(at + 1).trim()];
    lists.set(entry.slice(0, at).trim(), last);
  }
  const targets = new Map<string, string>();
  for (const [protoPackage, addresses] of lists) {
    try {
      targets.set(protoPackage, grpcTarget(addresses.join(",")));
    } catch (error) {
      throw new Error(`GATEWAY_UPSTREAMS: ${protoPackage}: ${(error as Error).message}`);
    }
  }
  return targets;
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
