import { ErrorInfo, RichClientError } from "nice-grpc-error-details";

/**
 * The stable reason of a failed call (its google.rpc ErrorInfo, e.g.
 * "EMPLOYEE_NOT_FOUND"), which code should switch on rather than on the
 * message; undefined when the error carries none. Every reason a context can
 * send is declared in its contract (the ErrorReason enum of
 * `@hr-platform/client/hr/<context>/<version>/error_reason`).
 */
export function errorReasonOf(error: unknown): string | undefined {
  if (!(error instanceof RichClientError)) return undefined;
  return error.extra.find((detail): detail is ErrorInfo => detail.$type === ErrorInfo.$type)?.reason;
}
