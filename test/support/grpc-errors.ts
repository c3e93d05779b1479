import { ClientError, Status } from "nice-grpc";
import { BadRequest, ErrorInfo, PreconditionFailure, RichClientError } from "nice-grpc-error-details";
import { expect } from "vitest";

export interface ReceivedError {
  code: Status;
  message: string;
  /** ErrorInfo.reason, when the server sent one. */
  reason: string | undefined;
  /** BadRequest field names, in order. */
  fields: string[];
  /** PreconditionFailure violation types. */
  preconditions: string[];
}

/** Awaits a call that must fail with `code`, and returns what the error carried. */
export async function expectError(call: Promise<unknown>, code: Status): Promise<ReceivedError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "the call should have failed").toBeInstanceOf(ClientError);
  const clientError = error as ClientError;
  expect(Status[clientError.code], clientError.details).toBe(Status[code]);
  const extra = clientError instanceof RichClientError ? clientError.extra : [];
  return {
    code: clientError.code,
    message: clientError.details,
    reason: extra.find((d) => d.$type === ErrorInfo.$type)?.reason,
    fields: extra.flatMap((d) => (d.$type === BadRequest.$type ? d.fieldViolations.map((v) => v.field) : [])),
    preconditions: extra.flatMap((d) => (d.$type === PreconditionFailure.$type ? d.violations.map((v) => v.type) : [])),
  };
}
