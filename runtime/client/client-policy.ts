import type { ClientMiddleware } from "nice-grpc";
import type { RetryOptions } from "nice-grpc-client-middleware-retry";
import type { ThrottlePolicy } from "./overload-throttle.js";
import type { ReplicaBalancing } from "./replica-balancing.js";

/** What a platform client holds every call to (service-client.ts applies it). */
export interface ClientPolicy {
  /** Deadline of a call whose caller set none. */
  defaultDeadlineMs: number;
  /** The furthest deadline a call gets (MAX_DEADLINE_MS): a later one is brought in to it. */
  maxDeadlineMs?: number;
  /** Attempts in all for a method the proto marks safe to retry. */
  maxAttempts?: number;
  /**
   * Calls open at once on one channel, across every client made on it; the
   * rest wait in this process (see calls-in-flight.ts). The servers' own
   * per-connection limit, GRPC_MAX_CONCURRENT_STREAMS.
   */
  maxCallsInFlight: number;
  /** Client-side throttling while the server refuses calls for overload (see overload-throttle.ts). */
  throttle: ThrottlePolicy;
  /** How channels opened for these clients spread calls over replicas (see replica-balancing.ts). */
  balancing?: ReplicaBalancing;
  /**
   * Sees every call as its caller does, around the retries and the wait for
   * a slot: the apps' metrics (runtime/metrics/client-metrics.ts). Optional,
   * like `observeAttempt`, so the client package carries neither metrics nor
   * tracing libraries; a team may bring its own.
   */
  observeCall?: ClientMiddleware<RetryOptions, RetryOptions>;
  /** Sees each attempt (a retry is one of its own), its wait for a slot included: the apps' traces (runtime/tracing). */
  observeAttempt?: ClientMiddleware;
}

/**
 * The platform's client policy when nothing is configured: what its own apps
 * run with by default (the configuration slices of server-config.ts and
 * client-config.ts take their defaults from here), and what the client
 * package gives a team that passes no policy.
 */
export const DEFAULT_CLIENT_POLICY = {
  /** A call whose caller set no deadline gets 12 s (DEFAULT_DEADLINE_MS), as long as the edge gives an HTTP call. */
  defaultDeadlineMs: 12_000,
  /**
   * The furthest deadline a call keeps (MAX_DEADLINE_MS): a later one, from a
   * client or a header, is brought in to it, far below what timers can hold.
   */
  maxDeadlineMs: 300_000,
  /** One call and two retries, for the methods the proto marks safe to repeat. */
  maxAttempts: 3,
  /** The servers' own per-connection stream limit (GRPC_MAX_CONCURRENT_STREAMS). */
  maxCallsInFlight: 100,
  throttle: { ratio: 1.2, windowSeconds: 10 },
} as const satisfies Required<Omit<ClientPolicy, "balancing" | "observeCall" | "observeAttempt">>;
