import type { TsProtoServiceDefinition } from "nice-grpc";
import { grpcFrame, type RawChannel } from "./raw-grpc-client.js";

// A typed client over raw HTTP/2 streams (raw-grpc-client.ts) for the closed
// loop: the request encoded by the generated codec, the answer decoded by it,
// and nothing else per call (no middleware, no abort signal, no metadata
// object), so that the load process costs a fraction of what the servers do
// and the floors it measures are the servers'.

type Methods<D extends TsProtoServiceDefinition> = D["methods"];
/** What a generated message's fromPartial accepts (as nice-grpc's own clients take requests). */
type RequestIn<T> = T extends { fromPartial(object: infer P): unknown } ? P : never;

export type RawClient<D extends TsProtoServiceDefinition> = {
  [M in keyof Methods<D>]: (
    request: RequestIn<Methods<D>[M]["requestType"]>,
  ) => Promise<ReturnType<Methods<D>[M]["responseType"]["decode"]>>;
};

export function rawClient<D extends TsProtoServiceDefinition>(definition: D, channel: RawChannel): RawClient<D> {
  const client: Record<string, (request: unknown) => Promise<unknown>> = {};
  for (const [key, method] of Object.entries(definition.methods)) {
    const path = `/${definition.fullName}/${method.name}`;
    const { requestType, responseType } = method;
    client[key] = async (request) => {
      const message = requestType.fromPartial ? requestType.fromPartial(request) : request;
      const answer = await channel.unary(path, grpcFrame(requestType.encode(message).finish()));
      return responseType.decode(answer);
    };
  }
  return client as RawClient<D>;
}
