// @hr-platform/client: the typed clients of every platform service with the
// platform's call policy, as its own apps use them. Built from the
// repository's runtime/client/ and generated/proto/ (no copies); the
// generated definitions are the subpaths `@hr-platform/client/hr/<context>/<version>/<file>`.
import type { Channel, CompatServiceDefinition } from "nice-grpc";
import { type ClientPolicy, DEFAULT_CLIENT_POLICY } from "../../../runtime/client/client-policy.js";
import { createServiceClient, type ServiceClient } from "../../../runtime/client/service-client.js";

export { type CallOptions, type Channel, ClientError, Metadata, Status } from "nice-grpc";
export { BadRequest, ErrorInfo, PreconditionFailure, RichClientError } from "nice-grpc-error-details";
export {
  AUTHORIZATION_HEADER,
  DEADLINE_HEADER,
  REQUEST_ID_HEADER,
} from "../../../runtime/client/call-headers.js";
export { type ClientPolicy, DEFAULT_CLIENT_POLICY } from "../../../runtime/client/client-policy.js";
export {
  type CallerHop,
  callOptionsOf as callerOptions,
  forwardFrom,
  type HopCallOptions,
} from "../../../runtime/client/forward-call.js";
export type { ThrottlePolicy } from "../../../runtime/client/overload-throttle.js";
export { openChannel } from "../../../runtime/client/service-client.js";
export { isTransientFailure } from "../../../runtime/client/transient-failure.js";
export { errorReasonOf } from "./error-reason.js";

/** A client of one service: its methods, typed from the contract, taking the platform's call options. */
export type PlatformClient<D extends CompatServiceDefinition> = ServiceClient<D>;

/**
 * A typed client of the service `definition` (imported from a subpath, e.g.
 * `@hr-platform/client/hr/employee/v1/employee_service`) on `channel`, with
 * the platform's call policy: a deadline on every call (12 s unless the call
 * sets one, never more than 5 minutes) sent on as the `x-deadline-ms` header;
 * up to 3 attempts, with backoff, for methods the contract marks
 * NO_SIDE_EFFECTS or IDEMPOTENT when they fail UNAVAILABLE or CANCELLED;
 * google.rpc details decoded (RichClientError); calls held back while the
 * server refuses them for overload; at most 100 calls open on the channel.
 * `policy` overrides any of these (DEFAULT_CLIENT_POLICY holds them). Every
 * client made on one channel shares its bound and throttle, so give them the
 * same `maxCallsInFlight` (another value throws).
 */
export function createPlatformClient<D extends CompatServiceDefinition>(
  definition: D,
  channel: Channel,
  policy: Partial<ClientPolicy> = {},
): PlatformClient<D> {
  return createServiceClient(definition, channel, { ...DEFAULT_CLIENT_POLICY, ...policy });
}
