import { isAbortError } from "abort-controller-x";
import {
  type CallContext,
  ServerError,
  type ServerMiddleware,
  type ServerMiddlewareCall,
  Status,
} from "nice-grpc-common";
import { ErrorInfo, RetryInfo, RichServerError } from "nice-grpc-error-details";
import type { Logger } from "pino";
import type { Caller } from "../auth/caller.js";
import { DEADLINE_HEADER } from "../client/call-headers.js";
import type { AdmissionConfig } from "../config.js";
import { RuntimeReason } from "../domain/domain-error.js";
import type { AuthenticatedContext, CallScope } from "./call-scope.js";
import { ConcurrencyGate } from "./concurrency-gate.js";
import { MethodLatency } from "./method-latency.js";

const MIN_RETRY_DELAY_MS = 50;
const MAX_RETRY_DELAY_MS = 10_000;
const REFUSALS_LOGGED_EVERY_MS = 1_000;
const MAX_LATE_REFUSALS = 1_000;

/** Load shedding in two steps over one gate: see `admission`. */
export interface Admission {
  /**
   * The server's first middleware after error details: refuses a business
   * call that admission would refuse whoever its caller is (too little time
   * left, or no slot and a queue too long to wait in), before the call log,
   * authentication and everything else, and without a log line of its own.
   */
  refuseEarly: ServerMiddleware;
  /** After authorization: admits the call, or queues it in its tenant's queue, or refuses it. */
  // biome-ignore lint/complexity/noBannedTypes: adds nothing to the context, as nice-grpc spells it.
  admit: ServerMiddleware<{}, { scope: CallScope; caller: Caller }>;
  /** The gate now: its limit, the calls running and the calls waiting (for metrics). */
  state(): { limit: number; inFlight: number; queued: number };
}

/** Told of every refusal: its method, why, and whether it came before authentication (`refuseEarly`). */
export type RefusalListener = (method: string, reason: "tooLate" | "overloaded", early: boolean) => void;

/**
 * Load shedding for business calls (`admittedPaths`). A call whose deadline
 * leaves less than its method needs at least is answered DEADLINE_EXCEEDED
 * before any work. Otherwise it runs when a slot of the adaptive concurrency
 * limit is free, or waits for one in its tenant's queue (so after
 * authentication), for at most ADMISSION_MAX_WAIT_MS and never past the point
 * where its deadline would leave less than twice what the method usually
 * takes. A call that cannot be queued, would wait longer (the calls ahead of
 * it at the usual latency), or waited that long, is refused with
 * RESOURCE_EXHAUSTED, RetryInfo and ErrorInfo OVERLOADED: answering it
 * quickly costs less than queueing work nobody will wait for. Refusals that
 * do not depend on the caller are made first of all (`refuseEarly`): under
 * overload most calls are refused, and a refusal that went through the whole
 * chain cost as much as half a served call, so refusing saturated the server.
 * Methods outside `admittedPaths` (server streams, which live for minutes)
 * pass through both untouched.
 */
export function admission(
  config: AdmissionConfig,
  logger: Logger,
  domain: string,
  admittedPaths: ReadonlySet<string>,
  onRefused: RefusalListener = () => {},
): Admission {
  const gate = new ConcurrencyGate(config);
  const latency = new MethodLatency();
  const refusals = new RefusalCount(logger, () => gate.state);
  const overloaded = overloadRefusals(domain);
  const lateRefusal = lateRefusals();
  /** The refusal of a call with `leftMs` before its deadline, when it has too little time left. */
  const tooLate = (method: string, leftMs: number, early: boolean): ServerError | undefined => {
    const neededMs = Math.max(latency.neededMs(method), config.minDeadlineMs);
    if (leftMs >= neededMs) return undefined;
    refusals.note("tooLate");
    onRefused(method, "tooLate", early);
    return lateRefusal(
      `${Math.max(0, Math.round(leftMs))} ms left before the deadline, less than the ${Math.ceil(neededMs)} ms this method needs`,
    );
  };
  const refuse = (method: string, usualMs: number, early: boolean) => {
    refusals.note("overloaded");
    onRefused(method, "overloaded", early);
    return overloaded(retryDelayMs(usualMs, gate.state));
  };

  async function* refuseEarly<Request, Response>(call: ServerMiddlewareCall<Request, Response>, context: CallContext) {
    const method = call.method.path;
    if (admittedPaths.has(method)) {
      const leftMs = leftBeforeDeadline(context.metadata.get(DEADLINE_HEADER));
      const late = tooLate(method, leftMs, true);
      if (late) throw late;
      const usualMs = latency.usualMs(method);
      if (gate.refusesNow(Math.min(config.maxWaitMs, leftMs - 2 * usualMs), usualMs))
        throw refuse(method, usualMs, true);
    }
    return yield* call.next(call.request, context);
  }

  async function* admit<Request, Response>(
    call: ServerMiddlewareCall<Request, Response, { scope: CallScope; caller: Caller }>,
    context: AuthenticatedContext,
  ) {
    const method = call.method.path;
    if (!admittedPaths.has(method)) return yield* call.next(call.request, context);
    const usualMs = latency.usualMs(method);
    const deadline = context.scope.deadline;
    const leftMs = deadline ? deadline.getTime() - Date.now() : Number.POSITIVE_INFINITY;
    const late = tooLate(method, leftMs, false);
    if (late) throw late;
    // A call admitted with only its usual latency left misses its deadline half the time: keep as much again.
    const maxWaitMs = Math.min(config.maxWaitMs, leftMs - 2 * usualMs);
    const slot = await gate.acquire(context.caller.tenantId, maxWaitMs, usualMs, context.signal);
    if (!slot) throw refuse(method, usualMs, false);
    const started = performance.now();
    let latencyMs: number | undefined;
    try {
      const response = yield* call.next(call.request, context);
      latencyMs = performance.now() - started;
      // Only a call its caller still waited for says what the method needs: one
      // that outlived its deadline (the database frozen meanwhile) would set the
      // floor so high that every later call is refused unrun, and refused calls
      // bring no sample to lower it again.
      if (!context.signal.aborted) latency.record(method, latencyMs);
      return response;
    } catch (error) {
      // A call cut short (cancelled, out of time) says nothing about how long calls take.
      if (!isCutShort(error)) latencyMs = performance.now() - started;
      throw error;
    } finally {
      slot.release(latencyMs);
    }
  }
  return { refuseEarly, admit, state: () => gate.state };
}

/** Milliseconds left before the x-deadline-ms a call carries (infinite without one; as the call log reads it). */
function leftBeforeDeadline(header: string | undefined): number {
  const deadlineMs = Number(header);
  return header !== undefined && Number.isFinite(deadlineMs) && deadlineMs > 0
    ? deadlineMs - Date.now()
    : Number.POSITIVE_INFINITY;
}

/**
 * DEADLINE_EXCEEDED refusals by message, built once each and without a stack
 * trace: building the error was the largest single cost of a refusal, and
 * under overload most say the same ("0 ms left ..."). At most
 * MAX_LATE_REFUSALS kept (messages differ by milliseconds only).
 */
function lateRefusals(): (message: string) => ServerError {
  const byMessage = new Map<string, ServerError>();
  return (message) => {
    let refusal = byMessage.get(message);
    if (refusal === undefined) {
      if (byMessage.size >= MAX_LATE_REFUSALS) byMessage.clear();
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      try {
        refusal = new ServerError(Status.DEADLINE_EXCEEDED, message);
      } finally {
        Error.stackTraceLimit = limit;
      }
      byMessage.set(message, refusal);
    }
    return refusal;
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
    // Declared in hr.runtime.v1.ErrorReason, the runtime's own contract: any method of any server sends it.
    ErrorInfo.fromPartial({ reason: RuntimeReason.OVERLOADED, domain, metadata: {} }),
  ]);
}

function isCutShort(error: unknown): boolean {
  if (isAbortError(error)) return true;
  return error instanceof ServerError && (error.code === Status.CANCELLED || error.code === Status.DEADLINE_EXCEEDED);
}

/**
 * Counts refusals and logs them once a second at most, with the gate's
 * state: a line per refusal would add to the load being shed (the early
 * refusals have no call-log line either; this count is their trace).
 */
class RefusalCount {
  #counts = { tooLate: 0, overloaded: 0 };
  #scheduled = false;

  constructor(
    private readonly logger: Logger,
    private readonly state: () => object,
  ) {}

  note(kind: "tooLate" | "overloaded"): void {
    this.#counts[kind]++;
    if (this.#scheduled) return;
    this.#scheduled = true;
    setTimeout(() => {
      const { tooLate, overloaded } = this.#counts;
      this.logger.warn(
        { refused: tooLate + overloaded, tooLate, overloaded, ...this.state() },
        "overloaded: refusing calls",
      );
      this.#counts = { tooLate: 0, overloaded: 0 };
      this.#scheduled = false;
    }, REFUSALS_LOGGED_EVERY_MS).unref();
  }
}
