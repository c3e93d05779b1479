import { ClientError, Status } from "nice-grpc";

/** The codes that say "not now": the service is down, busy, slow, or lost a race. */
const TRANSIENT: ReadonlySet<Status> = new Set([
  Status.UNAVAILABLE,
  Status.DEADLINE_EXCEEDED,
  Status.RESOURCE_EXHAUSTED,
  Status.ABORTED,
]);

/**
 * Whether a call failed in a way a later attempt of the same call may not:
 * a gRPC answer with one of the codes above. A refusal (INVALID_ARGUMENT,
 * FAILED_PRECONDITION, ...) is not, nor is an error that is no gRPC answer.
 */
export function isTransientFailure(error: unknown): boolean {
  return error instanceof ClientError && TRANSIENT.has(error.code);
}
