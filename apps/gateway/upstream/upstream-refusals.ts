import { Code, ConnectError } from "@connectrpc/connect";
import { ErrorInfo, RetryInfo } from "nice-grpc-error-details";
import { ErrorReason } from "../../../generated/proto/hr/gateway/v1/error_reason.js";

/**
 * ErrorInfo reasons of a call the gateway refuses to protect an upstream
 * (and everyone else's calls). They can come with any method, so they are
 * the gateway's own contract's (hr.gateway.v1.ErrorReason), as are its rate
 * limits' reasons.
 */
export const UPSTREAM_CIRCUIT_OPEN = ErrorReason.UPSTREAM_CIRCUIT_OPEN;
export const UPSTREAM_SATURATED = ErrorReason.UPSTREAM_SATURATED;
export type UpstreamRefusalReason = typeof UPSTREAM_CIRCUIT_OPEN | typeof UPSTREAM_SATURATED;

/** The gateway's ErrorInfo domain, after the servers' `<server>.hr`. */
const DOMAIN = "gateway.hr";

/** Even a circuit about to let its trial call through is worth this pause before a retry. */
const MIN_RETRY_DELAY_MS = 100;

const MESSAGES: Record<UpstreamRefusalReason, string> = {
  [UPSTREAM_CIRCUIT_OPEN]: "the service is failing; the gateway is not calling it for now: retry later",
  [UPSTREAM_SATURATED]: "the service has too many calls in progress: retry later",
};

/**
 * UNAVAILABLE (HTTP 503) for a call that was never sent upstream, with
 * ErrorInfo naming the reason and the upstream (its contract packages, never
 * its address), RetryInfo, and `Retry-After` in whole seconds for clients
 * that read only headers. Connect puts the details in the JSON body, each
 * with a readable `debug` form beside its binary value.
 */
export function upstreamRefusal(reason: UpstreamRefusalReason, upstream: string, retryAfterMs: number): ConnectError {
  const delayMs = Math.max(MIN_RETRY_DELAY_MS, Math.ceil(retryAfterMs));
  const headers = { "retry-after": String(Math.max(1, Math.ceil(delayMs / 1000))) };
  const error = new ConnectError(MESSAGES[reason], Code.Unavailable, headers);
  const retryDelay = { seconds: Math.floor(delayMs / 1000), nanos: (delayMs % 1000) * 1_000_000 };
  error.details.push(edgeErrorInfo(reason, { upstream }), {
    type: "google.rpc.RetryInfo",
    value: RetryInfo.encode(RetryInfo.fromPartial({ retryDelay })).finish(),
    debug: { retryDelay: `${(delayMs / 1000).toFixed(3)}s` },
  });
  return error;
}

/** The google.rpc.ErrorInfo of a refusal of the gateway's own, as a Connect detail with its readable `debug` form. */
export function edgeErrorInfo(reason: ErrorReason, metadata: Record<string, string> = {}) {
  const info = { reason, domain: DOMAIN, metadata };
  return { type: "google.rpc.ErrorInfo", value: ErrorInfo.encode(ErrorInfo.fromPartial(info)).finish(), debug: info };
}
