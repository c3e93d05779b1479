import { isAbortError } from "abort-controller-x";
import { type CallContext, ClientError, ServerError, type ServerMiddlewareCall, Status } from "nice-grpc-common";
import {
  BadRequest,
  type ErrorDetails,
  ErrorInfo,
  PreconditionFailure,
  RichClientError,
  RichServerError,
} from "nice-grpc-error-details";
import type { Logger } from "pino";
import { isDatabaseUnavailable } from "../db/outage.js";
import { DomainError, type DomainErrorKind } from "../domain/domain-error.js";
import type { PrivacyMarks } from "../privacy/privacy-marks.js";
import { loggableError } from "../privacy/redact.js";
import { personalValues } from "../privacy/scrub.js";
import { type DeclaredReasons, packageOf } from "./declared-reasons.js";

const STATUS_OF: Record<DomainErrorKind, Status> = {
  invalid_argument: Status.INVALID_ARGUMENT,
  not_found: Status.NOT_FOUND,
  already_exists: Status.ALREADY_EXISTS,
  failed_precondition: Status.FAILED_PRECONDITION,
  aborted: Status.ABORTED,
  unauthenticated: Status.UNAUTHENTICATED,
  permission_denied: Status.PERMISSION_DENIED,
};

/**
 * The one place where errors become gRPC statuses: a DomainError becomes its
 * status code with google.rpc details (ErrorInfo with the stable reason, plus
 * BadRequest or PreconditionFailure); anything unexpected is logged and
 * answered INTERNAL without leaking its message. In an app, a data service's
 * refusal passes through with its code and details (NOT_FOUND stays
 * NOT_FOUND), while its failures (INTERNAL, UNKNOWN) stay opaque. A database
 * that cannot be reached is UNAVAILABLE (an outage clients may retry), never
 * INTERNAL (a bug, never retried). A domain
 * error whose reason the method's proto package does not declare is a bug:
 * logged, and answered INTERNAL. A logged error never quotes a value of the
 * request's personal or secret fields (`marks`): a driver's or a library's
 * message may echo what it was given.
 */
export function errorMapping(logger: Logger, domain: string, reasons: DeclaredReasons, marks: PrivacyMarks) {
  return async function* errorMappingMiddleware<Request, Response>(
    call: ServerMiddlewareCall<Request, Response>,
    context: CallContext,
  ) {
    try {
      return yield* call.next(call.request, context);
    } catch (error) {
      if (error instanceof ServerError || isAbortError(error)) throw error;
      const err = () => {
        const request = marks.inputOf(call.method.path);
        return loggableError(error, request ? personalValues(marks, request, call.request) : []);
      };
      // Packages of others (grpc.health.v1) declare no reasons; ours must declare each one they send.
      const declared = reasons.get(packageOf(call.method.path));
      if (error instanceof DomainError && (declared === undefined || declared.has(error.reason))) {
        throw toRichError(error, domain);
      }
      if (error instanceof DomainError) {
        logger.error(
          { err: err(), reason: error.reason, method: call.method.path },
          "error reason not in the contract",
        );
        throw new ServerError(Status.INTERNAL, "internal error");
      }
      if (error instanceof ClientError) {
        if (TRANSPORT.has(error.code)) {
          logger.warn({ err: err(), method: call.method.path, code: error.code }, "downstream call failed");
        }
        throw fromDownstream(error);
      }
      if (isDatabaseUnavailable(error)) {
        logger.warn({ err: err(), method: call.method.path }, "database unavailable");
        throw new ServerError(Status.UNAVAILABLE, "the service's database is unavailable; retry later");
      }
      logger.error({ err: err(), method: call.method.path }, "unexpected error");
      throw new ServerError(Status.INTERNAL, "internal error");
    }
  };
}

function toRichError(error: DomainError, domain: string): RichServerError {
  const details: ErrorDetails[] = [ErrorInfo.fromPartial({ reason: error.reason, domain, metadata: {} })];
  if (error.fieldViolations.length > 0) {
    details.push(BadRequest.fromPartial({ fieldViolations: [...error.fieldViolations] }));
  }
  if (error.preconditionViolations.length > 0) {
    details.push(PreconditionFailure.fromPartial({ violations: [...error.preconditionViolations] }));
  }
  return new RichServerError(STATUS_OF[error.kind], error.message, details);
}

const OPAQUE = new Set([Status.INTERNAL, Status.UNKNOWN, Status.DATA_LOSS]);
/**
 * Codes grpc-js's own client raises for the way, not the answer: their text
 * names the downstream's address ("connect ECONNREFUSED 10.0.0.7:50051",
 * "remote_addr=..."), which callers must not learn. They get a generic text
 * (and the downstream's details, if any); the log keeps the original.
 */
const TRANSPORT = new Map([
  [Status.UNAVAILABLE, "a service this call depends on is unavailable; retry later"],
  [Status.DEADLINE_EXCEEDED, "the deadline was exceeded while waiting for a service this call depends on"],
]);

function fromDownstream(error: ClientError): ServerError {
  if (OPAQUE.has(error.code)) return new ServerError(Status.INTERNAL, "internal error");
  const message = TRANSPORT.get(error.code) ?? error.details;
  if (error instanceof RichClientError) return new RichServerError(error.code, message, error.extra);
  return new ServerError(error.code, message);
}
