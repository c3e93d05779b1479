import { isAbortError } from "abort-controller-x";
import { type CallContext, ServerError, type ServerMiddlewareCall, Status } from "nice-grpc-common";
import type { Logger } from "pino";
import { incomingHop } from "../client/call-headers.js";
import type { CallScope } from "./call-scope.js";

/** What the log knows of a call once it ended, for metrics: its code's name, its duration, its verified tenant. */
export type CallListener = (call: {
  method: string;
  code: string;
  seconds: number;
  tenantId: string | undefined;
}) => void;

/**
 * Opens the call's scope (request id, deadline) and writes exactly one log
 * line per call when it ends: method, status code, duration, request id and
 * tenant. A call whose caller went away (cancelled it, or let its deadline
 * pass) is logged CANCELLED or DEADLINE_EXCEEDED whatever the handler did:
 * its answer reached nobody. `onEnded` is told the same (the metrics).
 */
export function callLog(logger: Logger, maxDeadlineMs: number, onEnded: CallListener = () => {}) {
  return async function* callLogMiddleware<Request, Response>(
    call: ServerMiddlewareCall<Request, Response, { scope: CallScope }>,
    context: CallContext,
  ) {
    const scope = openScope(context, maxDeadlineMs);
    const started = performance.now();
    let code = Status.OK;
    try {
      return yield* call.next(call.request, { ...context, scope });
    } catch (error) {
      code = error instanceof ServerError ? error.code : isAbortError(error) ? Status.CANCELLED : Status.UNKNOWN;
      throw error;
    } finally {
      if (context.signal.aborted) code = goneCode(scope);
      const durationMs = performance.now() - started;
      const tenantId = scope.caller?.tenantId;
      onEnded({ method: call.method.path, code: Status[code], seconds: durationMs / 1000, tenantId });
      const level =
        code === Status.OK ? "info" : code === Status.INTERNAL || code === Status.UNKNOWN ? "error" : "warn";
      logger[level]({
        method: call.method.path,
        code: Status[code],
        durationMs: Math.round(durationMs * 100) / 100,
        requestId: scope.requestId,
        tenantId,
        userId: scope.caller?.userId,
        refusal: scope.refusal,
      });
    }
  };
}

/**
 * Why a call's signal aborted: its deadline passed (when we know it), or its
 * caller cancelled. grpc-timeout travels rounded, so the server's own timer
 * may fire a few milliseconds before the absolute deadline.
 */
function goneCode(scope: CallScope): Status {
  return scope.deadline !== undefined && scope.deadline.getTime() <= Date.now() + 10
    ? Status.DEADLINE_EXCEEDED
    : Status.CANCELLED;
}

/** The call's scope; a deadline further than `maxDeadlineMs` away (a client's far-future or garbled header) is capped. */
function openScope(context: CallContext, maxDeadlineMs: number): CallScope {
  const { requestId, deadline } = incomingHop(context.metadata, maxDeadlineMs);
  return { requestId, deadline, caller: undefined, token: undefined };
}
