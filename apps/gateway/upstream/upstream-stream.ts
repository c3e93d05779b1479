import {
  type DescMessage,
  type DescMethodServerStreaming,
  fromBinary,
  type Message,
  toBinary,
} from "@bufbuild/protobuf";
import type { ConnectError } from "@connectrpc/connect";
import { type CallOptions, Metadata } from "nice-grpc";
import type { DeadlineOptions } from "nice-grpc-client-middleware-deadline";
import { AUTHORIZATION_HEADER, REQUEST_ID_HEADER } from "../../../runtime/client/call-headers.js";
import { connectErrorOf, type Hop, type UpstreamClient } from "./upstream-call.js";

type StreamMethod = DescMethodServerStreaming<DescMessage, DescMessage>;
type StreamCall = (request: Uint8Array, options: CallOptions & DeadlineOptions) => AsyncIterable<Uint8Array>;

/**
 * Opens `method`'s server stream upstream and resolves once it is open: its
 * response header or its first message has arrived. A failure before that
 * rejects, so the chain's steps around the opening (the upstream's bulkhead
 * and breaker) see it like a unary call's; the stream itself then runs
 * outside them. The messages come decoded; a failure on the way is raised
 * as `failed` makes it for the client. The stream's deadline is the hop's
 * budget; the caller going away (`hop.signal`) cancels it upstream.
 */
export async function openUpstreamStream(
  client: UpstreamClient,
  method: StreamMethod,
  request: Message,
  hop: Hop,
  failed: (error: ConnectError) => ConnectError,
): Promise<AsyncGenerator<Message>> {
  const metadata = Metadata().set(REQUEST_ID_HEADER, hop.requestId);
  if (hop.authorization !== null) metadata.set(AUTHORIZATION_HEADER, hop.authorization);
  const call = client[`/${method.parent.typeName}/${method.name}`] as unknown as StreamCall | undefined;
  if (call === undefined) throw new Error(`${method.name} is not a method of this upstream`);
  let headerArrived: () => void = () => {};
  const header = new Promise<void>((resolve) => {
    headerArrived = resolve;
  });
  const options = {
    metadata,
    deadline: new Date(Date.now() + hop.budgetMs),
    signal: hop.signal,
    onHeader: () => headerArrived(),
  };
  const upstream = call(toBinary(method.input, request), options)[Symbol.asyncIterator]();
  const first = upstream.next();
  // Read below, or dropped with the stream when a later step refuses it: never unobserved.
  first.catch(() => {});
  try {
    await Promise.race([header, first]);
  } catch (error) {
    throw failed(connectErrorOf(error, hop.signal));
  }
  return (async function* messages() {
    try {
      for (let step = await first; step.done !== true; step = await upstream.next()) {
        yield fromBinary(method.output, step.value);
      }
    } catch (error) {
      throw failed(connectErrorOf(error, hop.signal));
    } finally {
      await upstream.return?.();
    }
  })();
}
