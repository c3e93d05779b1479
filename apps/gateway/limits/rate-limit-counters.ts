import { Redis } from "ioredis";
import type { Logger } from "pino";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  type RateLimiterRes,
} from "rate-limiter-flexible";
import type { CredentialAttemptsConfig, RateLimits } from "../gateway-config.js";

type WindowOptions = ConstructorParameters<typeof RateLimiterMemory>[0];

/** The counters the limits take calls from, and how to let go of what they hold when the gateway stops. */
export interface LimitCounters {
  /** Every call per client address, before anything else. */
  addresses: RateLimiterAbstract;
  tenants: RateLimiterAbstract;
  callers: RateLimiterAbstract;
  /** Failed (and in-flight) sign-ins per address and tenant. */
  credentialFailures: RateLimiterAbstract;
  /** Resolves once the counts know where they go: Redis connected, or failed to (then memory), or no Redis. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Longest wait for Redis on one count. Redis answers in well under a
 * millisecond here; a Redis that stops answering without closing its
 * connection costs each call this much (per count: address, caller, tenant) before the
 * count falls back to memory. Not smaller, so that a busy event loop does not
 * send counts to memory while Redis is fine.
 */
const REDIS_TIMEOUT_MS = 250;
/** How long the gateway's start waits for Redis before counting in memory until it connects. */
const START_WAIT_MS = 2_000;
/** While the counts are in memory, the warning is repeated at most this often: one line, not one per call. */
const WARNING_INTERVAL_MS = 60_000;

/**
 * In this process's memory when no Redis is configured (a laptop, one
 * replica). With `REDIS_URL`, in Redis, so every replica of the gateway
 * takes from the same counts. rate-limiter-flexible (the limits' library)
 * does both with one interface and one atomic script per count, and its
 * `insuranceLimiter` is the answer to Redis being unreachable: the count is
 * taken in memory instead, per process, so the limits keep holding (each
 * replica up to the full limit) and no call fails because Redis is down; a
 * warning is logged, and the counts go back to Redis when it answers.
 */
export function limitCounters(limits: RateLimits, attempts: CredentialAttemptsConfig, logger: Logger): LimitCounters {
  const windows = {
    address: { points: limits.addressCalls, duration: limits.addressWindowSeconds },
    tenant: { points: limits.tenantCalls, duration: limits.windowSeconds },
    caller: { points: limits.callerCalls, duration: limits.windowSeconds },
    credential: { points: attempts.failures, duration: attempts.windowSeconds },
  } satisfies Record<string, WindowOptions>;
  if (limits.redisUrl === undefined) {
    return {
      addresses: new RateLimiterMemory(windows.address),
      tenants: new RateLimiterMemory(windows.tenant),
      callers: new RateLimiterMemory(windows.caller),
      credentialFailures: new RateLimiterMemory(windows.credential),
      settled: async () => {},
      close: async () => {},
    };
  }
  const redis = new Redis(limits.redisUrl, {
    // A count never waits for a connection: while there is none it fails at
    // once (no offline queue, no retry) and is taken in memory instead.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: REDIS_TIMEOUT_MS,
    connectionName: "hr-gateway",
  });
  const fallback = fallbackWarnings(logger);
  redis.on("error", (error: Error) => fallback.failed(error));
  redis.on("ready", () => fallback.answered());
  const shared = (name: keyof typeof windows) =>
    new RateLimiterRedis({
      ...windows[name],
      storeClient: redis,
      keyPrefix: `${limits.redisKeyPrefix}:${name}`,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new InsuranceCounts(windows[name], () => fallback.failed()),
    });
  return {
    addresses: shared("address"),
    tenants: shared("tenant"),
    callers: shared("caller"),
    credentialFailures: shared("credential"),
    settled: () => connectionSettled(redis),
    async close() {
      if (redis.status === "ready") await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}

/**
 * The first connection's outcome, so the gateway's first calls are counted
 * in Redis when it is there: ready, refused, or still pending after a while
 * (a host that does not answer), which the gateway does not wait past.
 */
function connectionSettled(redis: Redis): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  return new Promise((resolve) => {
    const settle = () => {
      clearTimeout(timer);
      redis.off("ready", settle).off("error", settle);
      resolve();
    };
    const timer = setTimeout(settle, START_WAIT_MS);
    redis.once("ready", settle).once("error", settle);
  });
}

/** The in-memory counts Redis's limiter falls back to, telling when it does. */
class InsuranceCounts extends RateLimiterMemory {
  constructor(
    options: WindowOptions,
    private readonly onUse: () => void,
  ) {
    super(options);
  }

  override consume(key: string | number, points?: number, options?: Record<string, unknown>): Promise<RateLimiterRes> {
    this.onUse();
    return super.consume(key, points, options);
  }
}

/** One warning when the counts leave Redis (repeated at most once a minute while they stay out), one line when it answers again. */
function fallbackWarnings(logger: Logger) {
  let lastError: Error | undefined;
  let warnedAt = Number.NEGATIVE_INFINITY;
  let failing = false;
  return {
    failed(error?: Error) {
      if (error !== undefined) lastError = error;
      failing = true;
      if (Date.now() - warnedAt < WARNING_INTERVAL_MS) return;
      warnedAt = Date.now();
      logger.warn(
        { err: lastError },
        "Redis does not answer: rate limits are counted in this process's memory until it does",
      );
    },
    answered() {
      if (failing) logger.info("Redis answers again: rate limits are counted in Redis");
      else logger.info("rate limits are counted in Redis");
      failing = false;
      warnedAt = Number.NEGATIVE_INFINITY;
    },
  };
}
