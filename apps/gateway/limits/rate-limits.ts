import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "pino";
import { type RateLimiterAbstract, RateLimiterRes } from "rate-limiter-flexible";
import { ErrorReason } from "../../../generated/proto/hr/gateway/v1/error_reason.js";
import { countRateLimited } from "../../../runtime/metrics/edge-metrics.js";
import type { CredentialAttemptsConfig, RateLimits } from "../gateway-config.js";
import { addressKey } from "../http/client-address.js";
import { edgeErrorInfo } from "../upstream/upstream-refusals.js";
import { type LimitCounters, limitCounters } from "./rate-limit-counters.js";

/** Who a call is counted against once its token is verified: its tenant (none before sign-in) and its caller. */
export interface Counted {
  tenantId: string | undefined;
  /** The signed-in user ("tenant/sub"), or the client's address for a call without a valid token. */
  callerKey: string;
}

/** One limit as a call left it: what the RateLimit headers say. */
export interface LimitState {
  limit: number;
  remaining: number;
  msBeforeNext: number;
}

/**
 * Calls per window per client address, per tenant and per caller, counted
 * in this process's memory, or in Redis when one is configured, so that
 * every replica of the gateway takes from the same counts
 * (rate-limit-counters.ts). The address is counted first, before the edge
 * reads the body or verifies a token, so that calls refused for those are
 * not free. Then, once the token is verified, the caller, and the tenant
 * after it: a caller refused on its own limit spends none of its tenant's,
 * so one noisy user slows only themselves, and one noisy tenant only
 * itself. Every answer carries the RateLimit headers of the tightest limit;
 * a refusal is RESOURCE_EXHAUSTED, which the Connect protocol answers 429,
 * with Retry-After.
 */
export class EdgeRateLimits {
  readonly counters: LimitCounters;

  constructor(
    private readonly limits: RateLimits,
    attempts: CredentialAttemptsConfig,
    logger: Logger,
  ) {
    this.counters = limitCounters(limits, attempts, logger);
  }

  /** Counts one call against the client's address; throws RESOURCE_EXHAUSTED over its limit. */
  admitAddress(address: string): Promise<LimitState> {
    const reason = ErrorReason.ADDRESS_RATE_LIMITED;
    return countOrRefuse(this.counters.addresses, addressKey(address), this.limits.addressCalls, reason);
  }

  /** Counts one call against its caller, then its tenant; answers the tighter; throws RESOURCE_EXHAUSTED over a limit. */
  async admit(counted: Counted): Promise<LimitState> {
    const { callers, tenants } = this.counters;
    const { CALLER_RATE_LIMITED, TENANT_RATE_LIMITED } = ErrorReason;
    const caller = await countOrRefuse(callers, counted.callerKey, this.limits.callerCalls, CALLER_RATE_LIMITED);
    if (counted.tenantId === undefined) return caller;
    const tenantKey = `tenant/${counted.tenantId}`;
    return tighter(caller, await countOrRefuse(tenants, tenantKey, this.limits.tenantCalls, TENANT_RATE_LIMITED));
  }

  /** Resolves once the counts know whether they go to Redis (connected or not), so the first calls are shared too. */
  settled(): Promise<void> {
    return this.counters.settled();
  }

  /** Lets go of the shared counts' connection (Redis), if any. */
  close(): Promise<void> {
    return this.counters.close();
  }
}

/** The limits' reasons (declared in hr.gateway.v1.ErrorReason), each with the message of its refusal. */
const REFUSALS = {
  [ErrorReason.ADDRESS_RATE_LIMITED]: "address rate limit reached: retry later",
  [ErrorReason.CALLER_RATE_LIMITED]: "caller rate limit reached: retry later",
  [ErrorReason.TENANT_RATE_LIMITED]: "tenant rate limit reached: retry later",
  [ErrorReason.CREDENTIAL_FAILURES_LIMITED]: "too many failed sign-ins from this address for this tenant: retry later",
};

/** Takes one point from `key`; over `limit`, throws RESOURCE_EXHAUSTED with ErrorInfo `reason`, Retry-After and RateLimit headers. */
export async function countOrRefuse(
  limiter: RateLimiterAbstract,
  key: string,
  limit: number,
  reason: keyof typeof REFUSALS,
): Promise<LimitState> {
  try {
    const res = await limiter.consume(key);
    return { limit, remaining: res.remainingPoints, msBeforeNext: res.msBeforeNext };
  } catch (refused) {
    if (!(refused instanceof RateLimiterRes)) throw refused;
    countRateLimited(reason);
    const state = { limit, remaining: 0, msBeforeNext: refused.msBeforeNext };
    const headers = { ...rateLimitHeaders(state), "retry-after": String(Math.max(1, secondsOf(state.msBeforeNext))) };
    const error = new ConnectError(REFUSALS[reason], Code.ResourceExhausted, headers);
    error.details.push(edgeErrorInfo(reason));
    throw error;
  }
}

/** The limit with fewer calls left (the one a client should heed); `known` when there is no other yet. */
export function tighter(known: LimitState | undefined, state: LimitState): LimitState {
  return known !== undefined && known.remaining <= state.remaining ? known : state;
}

export function rateLimitHeaders(state: LimitState): Record<string, string> {
  return {
    "ratelimit-limit": String(state.limit),
    "ratelimit-remaining": String(state.remaining),
    "ratelimit-reset": String(secondsOf(state.msBeforeNext)),
  };
}

function secondsOf(ms: number): number {
  return Math.ceil(ms / 1000);
}
