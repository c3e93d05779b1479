import { Code, ConnectError } from "@connectrpc/connect";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { RateLimits } from "./gateway-config.js";

/** Who a call is counted against: its tenant (none before sign-in) and its caller. */
export interface Counted {
  tenantId: string | undefined;
  /** The signed-in user ("tenant/sub"), or the client's address for a call without a token. */
  callerKey: string;
}

/**
 * Calls per window per tenant and per caller, counted in this process's
 * memory (several gateway replicas each count their own share; a shared
 * store is the next step). The caller is counted first, so a caller refused
 * on its own limit spends none of its tenant's: one noisy user slows only
 * themselves, and one noisy tenant only itself. Every answer carries the
 * RateLimit headers of the tighter limit; a refusal is RESOURCE_EXHAUSTED,
 * which the Connect protocol answers 429, with Retry-After.
 */
export class EdgeRateLimits {
  private readonly tenants: RateLimiterMemory;
  private readonly callers: RateLimiterMemory;

  constructor(private readonly limits: RateLimits) {
    this.tenants = new RateLimiterMemory({ points: limits.tenantCalls, duration: limits.windowSeconds });
    this.callers = new RateLimiterMemory({ points: limits.callerCalls, duration: limits.windowSeconds });
  }

  /** Counts one call; sets the RateLimit headers on `responseHeader`; throws RESOURCE_EXHAUSTED over a limit. */
  async admit(counted: Counted, responseHeader: Headers): Promise<void> {
    const caller = await this.take(this.callers, counted.callerKey, this.limits.callerCalls, "caller");
    let tighter = caller;
    if (counted.tenantId !== undefined) {
      const tenant = await this.take(this.tenants, `tenant/${counted.tenantId}`, this.limits.tenantCalls, "tenant");
      if (tenant.remaining < caller.remaining) tighter = tenant;
    }
    for (const [name, value] of Object.entries(rateLimitHeaders(tighter))) responseHeader.set(name, value);
  }

  private async take(limiter: RateLimiterMemory, key: string, limit: number, who: string) {
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
