import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "pino";
import { readableDetails } from "../http/readable-details.js";

/**
 * The codes whose messages describe the path to an answer rather than the
 * answer: a connection refused, a name that did not resolve, a stream reset,
 * a deadline spent on the way. Their text names hosts, ports and errnos
 * ("connect ECONNREFUSED 10.0.3.7:50057"), the upstream's own or those of the
 * services behind it (an app passes its data service's UNAVAILABLE on with
 * its message). A client gets a message of the gateway's instead.
 */
const GENERIC: Partial<Record<Code, (upstream: string) => string>> = {
  [Code.Unavailable]: (upstream) => `${upstream} is unavailable: retry later`,
  [Code.DeadlineExceeded]: (upstream) => `${upstream} did not answer within the call's deadline`,
  [Code.Canceled]: () => "the call was cancelled",
  [Code.Internal]: () => "internal error",
  [Code.Unknown]: () => "internal error",
  [Code.DataLoss]: () => "internal error",
};

/**
 * What a client is told of an upstream call that failed. A call that got no
 * gRPC status from the upstream (no `grpc-status` in what came back: it
 * failed on the way) is UNAVAILABLE whatever the transport said, except a
 * deadline or a cancellation of the edge's own. An operational code (above)
 * gets the gateway's message naming the upstream by its contract packages,
 * never by address; a business answer (NOT_FOUND, INVALID_ARGUMENT, ...)
 * keeps its message. The google.rpc details the upstream sent are kept
 * (decoded for people too: readable-details.ts); its HTTP/2 headers and
 * trailers are the upstream's, not the client's. The
 * message replaced goes to the gateway's log, with the request id.
 */
export function clientFacing(error: unknown, upstream: string, logger: Logger, requestId: string): ConnectError {
  const failure = ConnectError.from(error);
  const answered = failure.metadata.has("grpc-status");
  const ownTimeout = failure.code === Code.DeadlineExceeded || failure.code === Code.Canceled;
  const code = answered || ownTimeout ? failure.code : Code.Unavailable;
  const generic = GENERIC[code]?.(upstream);
  // A deadline or cancellation of the edge's own says nothing the access log does not.
  if (generic !== undefined && generic !== failure.rawMessage && (answered || !ownTimeout)) {
    const detail = { upstream, requestId, answered, code: Code[failure.code], message: failure.rawMessage };
    logger.warn({ ...detail, cause: causeOf(failure) }, "upstream call failed");
  }
  const answer = new ConnectError(generic ?? failure.rawMessage, code);
  if (answered) answer.details.push(...readableDetails(failure.details));
  return answer;
}

/** The transport's own error (a Node system error: code, syscall, address), for the log. */
function causeOf(failure: ConnectError): object | undefined {
  const cause = failure.cause;
  if (!(cause instanceof Error)) return undefined;
  const { code, syscall, address, port } = cause as NodeJS.ErrnoException & { address?: string; port?: number };
  return { message: cause.message, code, syscall, address, port };
}
