import { type Span, SpanStatusCode } from "@opentelemetry/api";
import { ClientError, Status } from "nice-grpc-common";

/** What failed, without a message that may quote personal data: the gRPC code of a call, or the error's kind. */
export function failureOf(error: unknown): string {
  if (error instanceof ClientError) return Status[error.code];
  return error instanceof Error ? error.name : "error";
}

/** Ends `span` when `work` settles, marked failed (by failureOf) when it rejects; resolves or rejects as `work` does. */
export function endedWith<T>(span: Span, work: Promise<T>): Promise<T> {
  return work.then(
    (result) => {
      span.end();
      return result;
    },
    (error: unknown) => {
      span.setStatus({ code: SpanStatusCode.ERROR, message: failureOf(error) });
      span.end();
      throw error;
    },
  );
}
