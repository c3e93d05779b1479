import { atLeastOne, configSlice, decimal, type Env, type ReplicaBalancing, share } from "../config.js";
import type { ThrottlePolicy } from "./overload-throttle.js";

/** How the platform's clients hold back calls while a server refuses them for overload (overload-throttle.ts). */
export const clientVariables = configSlice("apps (their clients)", {
  CLIENT_THROTTLE_RATIO: decimal(
    1.2,
    "while a server refuses calls for overload, a client sends it about this many calls per call it accepts and refuses the rest itself; `0` turns it off",
  ),
  CLIENT_THROTTLE_WINDOW_SECONDS: atLeastOne(10, "how far back a client counts its calls and the server's accepts"),
});

/** How the platform's clients spread calls over a service's replicas (replica-balancing.ts). */
export const balancingVariables = configSlice("apps (their clients)", {
  CLIENT_EJECTION_FAILURE_SHARE: share(
    0.85,
    "a replica that fails more than this share of a client's calls in an interval is ejected: that client sends it nothing for a while (any code but OK counts); `0` turns ejection off",
  ),
  CLIENT_EJECTION_MIN_CALLS: atLeastOne(20, "calls a replica must have had from a client in the interval to be judged"),
  CLIENT_EJECTION_INTERVAL_MS: atLeastOne(10_000, "how often a client judges the replicas it calls"),
  CLIENT_EJECTION_BASE_MS: atLeastOne(
    30_000,
    "how long a first ejection lasts; each ejection in a row lasts this much longer (at most 5 minutes)",
  ),
  CLIENT_RECONNECT_MAX_MS: atLeastOne(
    1_000,
    "longest wait between a client's attempts to reconnect to a replica that is down (grpc-js waits up to 2 minutes); keep it well below `SHUTDOWN_DELAY_MS` of replicated servers",
  ),
});

export function readClientThrottle(env?: Env): ThrottlePolicy {
  const v = clientVariables.read(env);
  return { ratio: v.CLIENT_THROTTLE_RATIO, windowSeconds: v.CLIENT_THROTTLE_WINDOW_SECONDS };
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
