import { isAbortError } from "abort-controller-x";
import { type CallOptions, ClientError, type ClientMiddleware, type ClientMiddlewareCall, Status } from "nice-grpc";
import type { RetryOptions } from "nice-grpc-client-middleware-retry";
import { Counter, Histogram } from "prom-client";
import { DURATION_BUCKETS, registry, secondsSince } from "./registry.js";

const calls = new Counter({
  name: "rpc_client_calls_total",
  help: "gRPC calls this process made to other services, by method and final code (after retries)",
  labelNames: ["method", "code"] as const,
  registers: [registry],
});

const duration = new Histogram({
  name: "rpc_client_duration_seconds",
  help: "How long this process's gRPC calls took, retries and waits for a slot included, by method and final code",
  labelNames: ["method", "code"] as const,
  buckets: DURATION_BUCKETS,
  registers: [registry],
});

const retries = new Counter({
  name: "rpc_client_retries_total",
  help: "Attempts of a safe (idempotent) method repeated after a retryable failure, by method and the code that failed",
  labelNames: ["method", "code"] as const,
  registers: [registry],
});

/** The code a client call ended with: the server's, CANCELLED when this side gave up, UNKNOWN for anything else. */
function codeOf(error: unknown): string {
  if (error instanceof ClientError) return Status[error.code];
  return isAbortError(error) ? "CANCELLED" : "UNKNOWN";
}

/**
 * Counts and times every call of a client, as its caller sees it: attached
 * last, it runs first, around the deadline, the retries and the wait for a
 * slot. Retries are counted through the retry middleware's own
 * `onRetryableError` hook (any hook the caller set still runs).
 */
export const clientCallMetrics: ClientMiddleware<RetryOptions, RetryOptions> = async function* clientCallMetrics<
  Request,
  Response,
>(call: ClientMiddlewareCall<Request, Response, RetryOptions>, options: CallOptions & Partial<RetryOptions>) {
  const method = call.method.path;
  const started = performance.now();
  const given = options.onRetryableError;
  const onRetryableError = (error: ClientError, attempt: number, delayMs: number) => {
    retries.inc({ method, code: Status[error.code] });
    given?.(error, attempt, delayMs);
  };
  let code = "OK";
  try {
    return yield* call.next(call.request, { ...options, onRetryableError });
  } catch (error) {
    code = codeOf(error);
    throw error;
  } finally {
    calls.inc({ method, code });
    duration.observe({ method, code }, secondsSince(started));
  }
};
