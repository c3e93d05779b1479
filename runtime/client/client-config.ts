import { atLeastOne, configSlice, decimal, type Env, type RuntimeConfig } from "../config.js";
import { clientCallMetrics } from "../metrics/client-metrics.js";
import { tracedClientCalls } from "../tracing/tracing.js";
import type { ClientPolicy } from "./client-policy.js";
import { DEFAULT_CLIENT_POLICY } from "./client-policy.js";
import type { ThrottlePolicy } from "./overload-throttle.js";

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
    observeCall: clientCallMetrics,
    observeAttempt: tracedClientCalls,
  };
}
