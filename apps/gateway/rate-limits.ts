import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "pino";
import { type RateLimiterAbstract, RateLimiterRes } from "rate-limiter-flexible";
import type { RateLimits } from "./gateway-config.js";
import { type LimitCounters, limitCounters } from "./rate-limit-counters.js";

/** Who a call is counted against: its tenant (none before sign-in) and its caller. */
export interface Counted {
  tenantId: string | undefined;
  /** The signed-in user ("tenant/sub"), or the client's address for a call without a token. */
  callerKey: string;
}

/**
 * Calls per window per tenant and per caller, counted in this process's
 * memory, or in Redis when one is configured, so that every replica of the
 * gateway takes from the same counts (rate-limit-counters.ts). The caller
 * is counted first, so a caller refused on its own limit spends none of its
 * tenant's: one noisy user slows only themselves, and one noisy tenant only
 * itself. Every answer carries the
 * RateLimit headers of the tighter limit; a refusal is RESOURCE_EXHAUSTED,
 * which the Connect protocol answers 429, with Retry-After.
 */
export class EdgeRateLimits {
  private readonly counters: LimitCounters;

  constructor(
    private readonly limits: RateLimits,
    logger: Logger,
  ) {
    this.counters = limitCounters(limits, logger);
  }

  /** Counts one call; sets the RateLimit headers on `responseHeader`; throws RESOURCE_EXHAUSTED over a limit. */
  async admit(counted: Counted, responseHeader: Headers): Promise<void> {
    const caller = await this.take(this.counters.callers, counted.callerKey, this.limits.callerCalls, "caller");
    let tighter = caller;
    if (counted.tenantId !== undefined) {
      const tenant = await this.take(
        this.counters.tenants,
        `tenant/${counted.tenantId}`,
        this.limits.tenantCalls,
        "tenant",
      );
      if (tenant.remaining < caller.remaining) tighter = tenant;
    }
    for (const [name, value] of Object.entries(rateLimitHeaders(tighter))) responseHeader.set(name, value);
  }

  /** Resolves once the counts know whether they go to Redis (connected or not), so the first calls are shared too. */
  settled(): Promise<void> {
    return this.counters.settled();
  }

  /** Lets go of the shared counts' connection (Redis), if any. */
  close(): Promise<void> {
    return this.counters.close();
  }

  private async take(limiter: RateLimiterAbstract, key: string, limit: number, who: string) {
    try {
      const res = await limiter.consume(key);
      return { limit, remaining: res.remainingPoints, msBeforeNext: res.msBeforeNext };
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      const state = { limit, remaining: 0, msBeforeNext: refusal.msBeforeNext };
      const headers = { ...rateLimitHeaders(state), "retry-after": String(Math.max(1, secondsOf(state.msBeforeNext))) };
      throw new ConnectError(`${who} rate limit reached: retry later`, Code.ResourceExhausted, headers);
    }
  }
}

function secondsOf(ms: number): number {
  return Math.ceil(ms / 1000);
}

function rateLimitHeaders(state: { limit: number; remaining: number; msBeforeNext: number }): Record<string, string> {
  return {
    "ratelimit-limit": String(state.limit),
    "ratelimit-remaining": String(state.remaining),
    "ratelimit-reset": String(secondsOf(state.msBeforeNext)),
  };
}
