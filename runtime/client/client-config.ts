import { z } from "zod";
import { atLeastOne, configSlice, decimal, type Env, type RuntimeConfig, share, type Variable } from "../config.js";
import { clientCallMetrics } from "../metrics/client-metrics.js";
import { tracedClientCalls } from "../tracing/tracing.js";
import type { ClientPolicy } from "./client-policy.js";
import { DEFAULT_CLIENT_POLICY } from "./client-policy.js";
import { grpcTarget } from "./grpc-target.js";
import type { ThrottlePolicy } from "./overload-throttle.js";
import { DEFAULT_BALANCING, type ReplicaBalancing } from "./replica-balancing.js";

/** How the platform's clients hold back calls while a server refuses them for overload (overload-throttle.ts). */
export const clientVariables = configSlice("apps (their clients)", {
  CLIENT_THROTTLE_RATIO: decimal(
    DEFAULT_CLIENT_POLICY.throttle.ratio,
    "while a server refuses calls for overload, a client sends it about this many calls per call it accepts and refuses the rest itself; `0` turns it off",
  ),
  CLIENT_THROTTLE_WINDOW_SECONDS: atLeastOne(
    DEFAULT_CLIENT_POLICY.throttle.windowSeconds,
    "how far back a client counts its calls and the server's accepts",
  ),
});

/** How the platform's clients spread calls over a service's replicas (replica-balancing.ts). */
export const balancingVariables = configSlice("apps (their clients)", {
  CLIENT_EJECTION_FAILURE_SHARE: share(
    DEFAULT_BALANCING.ejectionFailureShare,
    "a replica that fails more than this share of a client's calls in an interval is ejected: that client sends it nothing for a while (any code but OK counts); `0` turns ejection off",
  ),
  CLIENT_EJECTION_MIN_CALLS: atLeastOne(
    DEFAULT_BALANCING.ejectionMinCalls,
    "calls a replica must have had from a client in the interval to be judged",
  ),
  CLIENT_EJECTION_INTERVAL_MS: atLeastOne(
    DEFAULT_BALANCING.ejectionIntervalMs,
    "how often a client judges the replicas it calls",
  ),
  CLIENT_EJECTION_BASE_MS: atLeastOne(
    DEFAULT_BALANCING.ejectionBaseMs,
    "how long a first ejection lasts; each ejection in a row lasts this much longer (at most 5 minutes)",
  ),
  CLIENT_RECONNECT_MAX_MS: atLeastOne(
    DEFAULT_BALANCING.reconnectMaxMs,
    "longest wait between a client's attempts to reconnect to a replica that is down (grpc-js waits up to 2 minutes); keep it well below `SHUTDOWN_DELAY_MS` of replicated servers",
  ),
});

export function readClientThrottle(env?: Env): ThrottlePolicy {
  const v = clientVariables.read(env);
  return { ratio: v.CLIENT_THROTTLE_RATIO, windowSeconds: v.CLIENT_THROTTLE_WINDOW_SECONDS };
}

/** The policy of an app's clients, from the process's configuration. */
export function clientPolicyOf(config: RuntimeConfig): ClientPolicy {
  return {
    defaultDeadlineMs: config.defaultDeadlineMs,
    maxDeadlineMs: config.maxDeadlineMs,
    maxCallsInFlight: config.maxConcurrentStreams,
    throttle: config.clientThrottle,
    balancing: config.balancing,
    observeCall: clientCallMetrics,
    observeAttempt: tracedClientCalls,
  };
}

export function readReplicaBalancing(env?: Env): ReplicaBalancing {
  const v = balancingVariables.read(env);
  return {
    ejectionFailureShare: v.CLIENT_EJECTION_FAILURE_SHARE,
    ejectionMinCalls: v.CLIENT_EJECTION_MIN_CALLS,
    ejectionIntervalMs: v.CLIENT_EJECTION_INTERVAL_MS,
    ejectionBaseMs: v.CLIENT_EJECTION_BASE_MS,
    reconnectMaxMs: v.CLIENT_RECONNECT_MAX_MS,
  };
}

/** A configuration variable holding a target (see above); a malformed list stops the start, naming the variable. */
export function targetVariable(fallback: string, meaning: string): Variable<string> {
  return z
    .string()
    .optional()
    .transform((raw, context) => {
      try {
        return grpcTarget(raw ?? fallback);
      } catch (error) {
        context.addIssue({ code: "custom", message: `is not a target: ${(error as Error).message}` });
        return z.NEVER;
      }
    })
    .meta({ description: meaning, fallback });
}
