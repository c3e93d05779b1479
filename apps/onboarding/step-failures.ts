import { ClientError, Status } from "nice-grpc";
import { ErrorInfo, RichClientError } from "nice-grpc-error-details";
import { isTransientFailure } from "../../runtime/client/transient-failure.js";

/** A step's failure as the case records it. */
export interface StepFailure {
  reason: string;
  message: string;
  /** True: the case stops for HR. False: a later attempt may succeed. */
  permanent: boolean;
}

/**
 * What a failed call means for the case. A refusal with a reason (a work
 * email taken, a department archived, a login name taken) cannot succeed by
 * trying again: the case stops with the called service's reason and
 * message, which name the field HR must correct. Anything that is not a
 * gRPC answer (a connection reset) is transient.
 */
export function stepFailureOf(error: unknown): StepFailure {
  if (error instanceof StepRefused) return { reason: error.reason, message: error.message, permanent: true };
  if (!(error instanceof ClientError)) {
    const message = error instanceof Error ? error.message : String(error);
    return { reason: "UNAVAILABLE", message: `the call failed: ${message}`, permanent: false };
  }
  const info = error instanceof RichClientError ? error.extra.find((d) => d.$type === ErrorInfo.$type) : undefined;
  const reason = (info as ErrorInfo | undefined)?.reason || Status[error.code];
  return { reason, message: error.details || Status[error.code], permanent: !isTransientFailure(error) };
}

/** A step's own refusal, found by the app before any command (the employee a login links to is terminated). */
export class StepRefused extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = "StepRefused";
  }
}

/** Whether a call failed with `code` (and, when given, ErrorInfo `reason`). */
export function failedWith(error: unknown, code: Status, reason?: string): boolean {
  if (!(error instanceof ClientError) || error.code !== code) return false;
  return reason === undefined || stepFailureOf(error).reason === reason;
}

/** Backoff of the `attempt`-th retry (1-based): doubling from `baseMs`, at most `maxMs`, with up to 20 % jitter. */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  const delay = Math.min(maxMs, baseMs * 2 ** Math.min(30, attempt - 1));
  return Math.round(delay * (0.8 + 0.2 * Math.random()));
}
