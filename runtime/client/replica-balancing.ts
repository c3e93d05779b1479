import type { ChannelOptions } from "nice-grpc";

// How a channel spreads calls over a service's replicas, with what grpc-js
// (1.14) has built in rather than a balancer of our own:
// - round_robin over every address the target resolves to; a replica whose
//   connection is down (killed, stopped, refusing) gets no calls until it
//   reconnects, and a retried call goes to the next replica;
// - outlier ejection (gRFC A50, on by default in grpc-js since 1.8; the
//   GRPC_EXPERIMENTAL_ENABLE_OUTLIER_DETECTION=false environment turns it
//   off): a replica that stays connected but fails most calls is taken out
//   for a while. grpc-js counts every code but OK as a failure, so the
//   failure-percentage rule with a high threshold is used: business refusals
//   land on every replica alike and rarely pass it, and at most half the
//   replicas are ever ejected, never the only one (minimum 2). The
//   success-rate rule is not: with two replicas it ejects the one a hair
//   below the other. grpc-js shares connections (subchannels) between
//   channels to the same address, but ejection is per channel: each client
//   judges a replica by its own calls.
// - reconnection capped at `reconnectMaxMs` (grpc-js backs off to 2 minutes):
//   a restarted replica is back in every client within about that, which is
//   what a replica being stopped waits for (SHUTDOWN_DELAY_MS) before it
//   refuses calls, so that its peer takes them.
// - a DNS name is resolved again at most every 5 s (grpc-js: 30 s) when a
//   connection drops, so replicas replaced on Kubernetes are found soon.

/**
 * Outlier ejection and reconnection of the platform's clients: a replica
 * failing more than `ejectionFailureShare` of at least `ejectionMinCalls`
 * calls in an interval of `ejectionIntervalMs` gets no calls for
 * `ejectionBaseMs` (longer each time in a row); 0 as the share turns it off.
 */
export interface ReplicaBalancing {
  ejectionFailureShare: number;
  ejectionMinCalls: number;
  ejectionIntervalMs: number;
  ejectionBaseMs: number;
  /** Longest wait between two attempts to reconnect to a replica that is down. */
  reconnectMaxMs: number;
}

/**
 * The defaults of the CLIENT_EJECTION_* and CLIENT_RECONNECT_MAX_MS variables
 * (client-config.ts takes them from here), for channels opened without the
 * process's configuration (tools, tests, the client package).
 */
export const DEFAULT_BALANCING: ReplicaBalancing = {
  ejectionFailureShare: 0.85,
  ejectionMinCalls: 20,
  ejectionIntervalMs: 10_000,
  ejectionBaseMs: 30_000,
  reconnectMaxMs: 1_000,
};

const DNS_RESOLUTION_MIN_MS = 5_000;

/**
 * The grpc-js channel options that balance calls over replicas as `policy`
 * says. A channel of live streams ejects no replica (`streams`): a stream
 * ends as often as not by its client going away, a CANCELLED that grpc-js
 * would count against the replica.
 */
export function balancingOptions(policy: ReplicaBalancing, { streams = false } = {}): ChannelOptions {
  const roundRobin = { round_robin: {} };
  const ejection = {
    outlier_detection: {
      interval: duration(policy.ejectionIntervalMs),
      base_ejection_time: duration(policy.ejectionBaseMs),
      max_ejection_time: duration(Math.max(policy.ejectionBaseMs, 300_000)),
      max_ejection_percent: 50,
      failure_percentage_ejection: {
        threshold: Math.round(policy.ejectionFailureShare * 100),
        enforcement_percentage: 100,
        minimum_hosts: 2,
        request_volume: policy.ejectionMinCalls,
      },
      child_policy: [roundRobin],
    },
  };
  const loadBalancingConfig = policy.ejectionFailureShare > 0 && !streams ? [ejection] : [roundRobin];
  return {
    "grpc.service_config": JSON.stringify({ loadBalancingConfig }),
    "grpc.initial_reconnect_backoff_ms": Math.min(1_000, policy.reconnectMaxMs),
    "grpc.max_reconnect_backoff_ms": policy.reconnectMaxMs,
    "grpc.dns_min_time_between_resolutions_ms": DNS_RESOLUTION_MIN_MS,
  };
}

/** A google.protobuf.Duration as the service config's JSON holds it. */
function duration(ms: number): { seconds: number; nanos: number } {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}
