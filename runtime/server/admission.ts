import { isAbortError } from "abort-controller-x";
import { ServerError, type ServerMiddlewareCall, Status } from "nice-grpc-common";
import { ErrorInfo, RetryInfo, RichServerError } from "nice-grpc-error-details";
import type { Logger } from "pino";
import type { Caller } from "../auth/caller.js";
import type { AdmissionConfig } from "../config.js";
import type { AuthenticatedContext, CallScope } from "./call-scope.js";
import { ConcurrencyGate } from "./concurrency-gate.js";
import { MethodLatency } from "./method-latency.js";

/**
 * ErrorInfo reason of a call refused because the server is overloaded. The
 * runtime sends it for every context, so it is in no context's ErrorReason
 * enum: it is thrown as a ServerError, which the error mapping passes on
 * untouched (README, "Errors").
 */
export const OVERLOADED = "OVERLOADED";

const MIN_RETRY_DELAY_MS = 50;
const MAX_RETRY_DELAY_MS = 10_000;
const REFUSALS_LOGGED_EVERY_MS = 1_000;

/**
 * Load shedding for business calls, after authentication (queues are per
 * tenant). A call whose deadline leaves less than its method needs at least
 * is answered DEADLINE_EXCEEDED before any work. Otherwise it runs when a
 * slot of the adaptive concurrency limit is free, or waits for one in its
 * tenant's queue, for at most ADMISSION_MAX_WAIT_MS and never past the point
 * where its deadline would leave less than twice what the method usually
 * takes. A call that cannot be queued, would wait longer (the calls ahead of
 * it at the usual latency), or waited that long, is refused with
 * RESOURCE_EXHAUSTED, RetryInfo and ErrorInfo OVERLOADED: answering it
 * quickly costs less than queueing work nobody will wait for.
 */
export function admission(config: AdmissionConfig, logger: Logger, domain: string) {
  const gate = new ConcurrencyGate(config);
  const latency = new MethodLatency();
  const noteRefusal = refusalLog(logger, () => gate.state);
  const refusal = overloadRefusals(domain);
  return async function* admissionMiddleware<Request, Response>(
    call: ServerMiddlewareCall<Request, Response, { scope: CallScope; caller: Caller }>,
    context: AuthenticatedContext,
  ) {
    const method = call.method.path;
    const usualMs = latency.usualMs(method);
    const deadline = context.scope.deadline;
    const leftMs = deadline ? deadline.getTime() - Date.now() : Number.POSITIVE_INFINITY;
    const neededMs = Math.max(latency.neededMs(method), config.minDeadlineMs);
    if (leftMs < neededMs) {
      throw new ServerError(
        Status.DEADLINE_EXCEEDED,
        `${Math.max(0, Math.round(leftMs))} ms left before the deadline, less than the ${Math.ceil(neededMs)} ms this method needs`,
      );
    }
    // A call admitted with only its usual latency left misses its deadline half the time: keep as much again.
    const maxWaitMs = Math.min(config.maxWaitMs, leftMs - 2 * usualMs);
    const slot = await gate.acquire(context.caller.tenantId, maxWaitMs, usualMs, context.signal);
    if (!slot) {
      noteRefusal();
      throw refusal(retryDelayMs(usualMs, gate.state));
    }
    const started = performance.now();
    let latencyMs: number | undefined;
    try {
      const response = yield* call.next(call.request, context);
      latencyMs = performance.now() - started;
      latency.record(method, latencyMs);
      return response;
    } catch (error) {
      // A call cut short (cancelled, out of time) says nothing about how long calls take.
      if (!isCutShort(error)) latencyMs = performance.now() - started;
      throw error;
    } finally {
      slot.release(latencyMs);
    }
  };
}

/** How long the calls running and waiting now should take to clear: when a retry has a chance. */
function retryDelayMs(usualMs: number, state: { limit: number; inFlight: number; queued: number }): number {
  const rounds = (state.inFlight + state.queued) / Math.max(1, state.limit);
  const delayMs = Math.ceil((usualMs * rounds) / MIN_RETRY_DELAY_MS) * MIN_RETRY_DELAY_MS;
  return Math.min(MAX_RETRY_DELAY_MS, Math.max(MIN_RETRY_DELAY_MS, delayMs));
}

/**
 * The refusal for each retry delay (a multiple of MIN_RETRY_DELAY_MS, so at
 * most a few hundred), built once: a refusal must cost the server far less
 * than a call, and building an error captures a stack trace, which was a
 * large share of it. Sharing one error between calls is safe: the
 * middlewares after this one only read a thrown ServerError.
 */
function overloadRefusals(domain: string): (delayMs: number) => RichServerError {
  const byDelay = new Map<number, RichServerError>();
  return (delayMs) => {
    let refusal = byDelay.get(delayMs);
    if (refusal === undefined) {
      refusal = overloaded(domain, delayMs);
      byDelay.set(delayMs, refusal);
    }
    return refusal;
  };
}

function overloaded(domain: string, delayMs: number): RichServerError {
  const retryDelay = { seconds: Math.floor(delayMs / 1000), nanos: (delayMs % 1000) * 1_000_000 };
  return new RichServerError(Status.RESOURCE_EXHAUSTED, "the server is overloaded; retry later", [
    RetryInfo.fromPartial({ retryDelay }),
    ErrorInfo.fromPartial({ reason: OVERLOADED, domain, metadata: {} }),
  ]);
}

function isCutShort(error: unknown): boolean {
  if (isAbortError(error)) return true;
  return error instanceof ServerError && (error.code === Status.CANCELLED || error.code === Status.DEADLINE_EXCEEDED);
}

/**
 * Counts refusals and logs them once a second at most, with the gate's state:
 * each refused call has its own call-log line already, and a line per
 * refusal would add to the load being shed.
 */
function refusalLog(logger: Logger, state: () => object): () => void {
  let refused = 0;
  return () => {
    if (refused++ > 0) return;
    setTimeout(() => {
      logger.warn({ refused, ...state() }, "overloaded: refusing calls");
      refused = 0;
    }, REFUSALS_LOGGED_EVERY_MS).unref();
  };
}
