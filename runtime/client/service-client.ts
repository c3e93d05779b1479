import {
  type CallOptions,
  type Channel,
  type Client,
  type ClientMiddleware,
  type ClientMiddlewareCall,
  type CompatServiceDefinition,
  createChannel,
  createClientFactory,
  Metadata,
  Status,
} from "nice-grpc";
import { type DeadlineOptions, deadlineMiddleware } from "nice-grpc-client-middleware-deadline";
import { type RetryOptions, retryMiddleware } from "nice-grpc-client-middleware-retry";
import { errorDetailsClientMiddleware } from "nice-grpc-error-details";
import { DEADLINE_HEADER } from "./call-headers.js";
import { CallSlots, callsInFlight } from "./calls-in-flight.js";
import { type ClientPolicy, DEFAULT_CLIENT_POLICY } from "./client-policy.js";
import { grpcTarget } from "./grpc-target.js";
import { OverloadThrottle, overloadThrottle, type ThrottlePolicy } from "./overload-throttle.js";
import { balancingOptions, DEFAULT_BALANCING, type ReplicaBalancing } from "./replica-balancing.js";

/**
 * Opens a channel to a service's replicas. `target` is anything gRPC
 * resolves, or a list of addresses (grpc-target.ts): "host:port" locally,
 * "127.0.0.1:50051,127.0.0.1:50151" for replicas, "dns:///people:50051" on
 * Kubernetes; calls are spread round-robin over every address, a replica
 * that fails most calls is ejected for a while, and one that is down is
 * tried again at most `balancing.reconnectMaxMs` apart (replica-balancing.ts).
 * grpc-js shares connections between channels to the same target, unless
 * `ownConnections`: the channel of live streams takes its own, so that
 * streams open for minutes never hold the server's per-connection stream
 * limit (GRPC_MAX_CONCURRENT_STREAMS) against unary calls; it ejects no
 * replica (see balancingOptions).
 */
export function openChannel(
  target: string,
  {
    ownConnections = false,
    balancing = DEFAULT_BALANCING,
  }: { ownConnections?: boolean; balancing?: ReplicaBalancing } = {},
): Channel {
  return createChannel(grpcTarget(target), undefined, {
    ...balancingOptions(balancing, { streams: ownConnections }),
    ...(ownConnections && { "grpc.use_local_subchannel_pool": 1 }),
  });
}

// One bound and one throttle per channel: every client made on a channel
// shares its connections, and the servers behind them.
const slotsOfChannel = new WeakMap<Channel, CallSlots>();
const throttleOfChannel = new WeakMap<Channel, OverloadThrottle>();

function slotsOf(channel: Channel, limit: number): CallSlots {
  const slots = slotsOfChannel.get(channel) ?? new CallSlots(limit);
  if (slots.limit !== limit) throw new Error(`channel already bounded to ${slots.limit} calls in flight, not ${limit}`);
  slotsOfChannel.set(channel, slots);
  return slots;
}

function throttleOf(channel: Channel, policy: ThrottlePolicy): OverloadThrottle {
  const throttle = throttleOfChannel.get(channel) ?? new OverloadThrottle(policy);
  throttleOfChannel.set(channel, throttle);
  return throttle;
}

export type ServiceClient<D extends CompatServiceDefinition> = Client<D, RetryOptions & DeadlineOptions>;

/**
 * A typed client with the platform's call policy: a deadline on every call
 * (sent on to the next hop as a header), retries with backoff only for
 * methods whose proto declares them NO_SIDE_EFFECTS or IDEMPOTENT, and
 * google.rpc error details decoded into RichClientError, calls held back
 * while the server refuses them for overload, at most `maxCallsInFlight`
 * calls open on the channel, each call counted and timed and a span per
 * attempt, when the policy brings its observers (the apps' do: metrics, and
 * traces when tracing is on).
 */
export function createServiceClient<D extends CompatServiceDefinition>(
  definition: D,
  channel: Channel,
  policy: ClientPolicy,
): ServiceClient<D> {
  let factory = createClientFactory()
    // Attached first runs last: the deadline covers every retry, and the header reflects it;
    // each attempt is throttled and waits for a slot of its own, and a deadline also ends that wait.
    .use(callsInFlight(slotsOf(channel, policy.maxCallsInFlight)));
  if (policy.throttle.ratio > 0) factory = factory.use(overloadThrottle(throttleOf(channel, policy.throttle)));
  // A span per attempt (a retry is a call of its own), its wait for a slot included.
  if (policy.observeAttempt) factory = factory.use(policy.observeAttempt);
  const withPolicy = factory
    .use(errorDetailsClientMiddleware)
    .use(retryMiddleware)
    .use(deadlineMiddleware)
    .use(deadlineHeader(policy.defaultDeadlineMs, policy.maxDeadlineMs ?? DEFAULT_CLIENT_POLICY.maxDeadlineMs));
  // Attached last, the observer runs first: it sees the call as its caller does.
  return (policy.observeCall ? withPolicy.use(policy.observeCall) : withPolicy).create(definition, channel, {
    "*": {
      // The library's "max attempts" counts retries (attempts after the first): 1 means two calls.
      retryMaxAttempts: (policy.maxAttempts ?? DEFAULT_CLIENT_POLICY.maxAttempts) - 1,
      retryBaseDelayMs: 50,
      retryMaxDelayMs: 1000,
      // An outage, or a server shutting down. Never INTERNAL or UNKNOWN (the
      // library's default retries them): those mean a bug, and repeating it helps no one.
      retryableStatuses: [Status.UNAVAILABLE, Status.CANCELLED],
    },
  });
}

/**
 * Fills in the default deadline, caps a far one, and tells the server the
 * absolute deadline. Without the cap a deadline 30 days or years away would
 * overflow Node's timers (at 2^31 ms, about 24.8 days, a timer fires at
 * once: an immediate DEADLINE_EXCEEDED and a TimeoutOverflowWarning).
 */
function deadlineHeader(
  defaultDeadlineMs: number,
  maxDeadlineMs: number,
): ClientMiddleware<DeadlineOptions, DeadlineOptions> {
  return async function* deadlineHeaderMiddleware<Request, Response>(
    call: ClientMiddlewareCall<Request, Response, DeadlineOptions>,
    options: CallOptions & DeadlineOptions,
  ) {
    const given = options.deadline ?? defaultDeadlineMs;
    const now = Date.now();
    const wanted = typeof given === "number" ? now + given : given.getTime();
    const deadline = new Date(
      Math.min(Number.isFinite(wanted) ? wanted : Number.POSITIVE_INFINITY, now + maxDeadlineMs),
    );
    const metadata = Metadata(options.metadata).set(DEADLINE_HEADER, String(deadline.getTime()));
    return yield* call.next(call.request, { ...options, metadata, deadline });
  };
}
