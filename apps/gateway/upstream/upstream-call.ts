import type { DescMessage, DescMethodUnary, Message } from "@bufbuild/protobuf";
import type { ConnectError, Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { AUTHORIZATION_HEADER, DEADLINE_HEADER, REQUEST_ID_HEADER } from "../../../runtime/server/call-scope.js";

/** A gRPC connection to an application server at "host:port", described by nothing but the descriptors it is called with. */
export function upstreamTransport(target: string): Transport {
  return createGrpcTransport({ baseUrl: `http://${target}` });
}

/** What crosses the hop besides the message: the caller's token, the request id, and the budget. */
export interface Hop {
  authorization: string | null;
  requestId: string;
  budgetMs: number;
  signal: AbortSignal;
}

/**
 * Calls `method` upstream with the decoded request and answers its reply.
 * The deadline goes as grpc-timeout and as the platform's absolute
 * `x-deadline-ms`, which the servers read (call-scope.ts) and pass on. An
 * upstream error is raised as `failed` makes it for the client
 * (upstream-failures.ts).
 */
export async function callUpstream(
  transport: Transport,
  method: DescMethodUnary<DescMessage, DescMessage>,
  request: Message,
  hop: Hop,
  failed: (error: unknown) => ConnectError,
): Promise<Message> {
  const headers = new Headers({
    [REQUEST_ID_HEADER]: hop.requestId,
    [DEADLINE_HEADER]: String(Date.now() + hop.budgetMs),
  });
  if (hop.authorization !== null) headers.set(AUTHORIZATION_HEADER, hop.authorization);
  try {
    const response = await transport.unary(method, hop.signal, hop.budgetMs, headers, request);
    return response.message;
  } catch (error) {
    throw failed(error);
  }
}
