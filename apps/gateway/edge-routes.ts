import { create } from "@bufbuild/protobuf";
import { Code, type ConnectError, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import type { Logger } from "pino";
import { AUTHORIZATION_HEADER } from "../../runtime/client/call-headers.js";
import type { ClientPolicy } from "../../runtime/client/client-policy.js";
import { watchUpstreamCircuits } from "../../runtime/metrics/edge-metrics.js";
import type { DecodedCall, EdgeChain } from "./chain/edge-interceptor.js";
import type { ExposedMethod, ExposedStream } from "./exposed-methods.js";
import type { GatewayConfig } from "./gateway-config.js";
import { explainBadBodies, JSON_READ } from "./http/bad-request-bodies.js";
import { EDGE_REQUEST } from "./http/request-identity.js";
import { callUpstream } from "./upstream/upstream-call.js";
import { clientFacing } from "./upstream/upstream-failures.js";
import { openUpstreamStream } from "./upstream/upstream-stream.js";
import { upstreamsByPackage } from "./upstream/upstreams.js";

/**
 * One Connect route per exposed method whose package has an upstream, all
 * built by the same code from the descriptors. Connect decodes the JSON (or
 * binary) body with the method's input descriptor (a malformed body, an
 * unknown key or a wrong field type is 400 naming the field:
 * http/bad-request-bodies.ts); the decoded call then runs through the
 * chain's wrapping steps (edge-chain.ts) and is sent upstream over gRPC; a
 * failure on the way is told without the upstream's address
 * (upstream/upstream-failures.ts). Paths with no route are 404.
 *
 * A server stream (a live watch) is served with Connect's server streaming:
 * the chain's steps run around its opening (token, limits, budget, the
 * upstream's bulkhead and breaker), then its messages are relayed as they
 * come until either side ends. Its budget is how long it may stay open
 * (GATEWAY_STREAM_MAX_MS); when that runs out the edge ends it normally, and
 * the client watches again.
 */
export function edgeRoutes(
  exposed: { methods: readonly ExposedMethod[]; streams: readonly ExposedStream[] },
  config: GatewayConfig,
  policy: ClientPolicy,
  chain: EdgeChain,
  logger: Logger,
) {
  const upstreams = upstreamsByPackage(config, [...exposed.methods, ...exposed.streams], policy, logger);
  const unwatchCircuits = watchUpstreamCircuits(
    [...new Set(upstreams.values())].map(({ isolation }) => ({
      name: isolation.upstream,
      state: () => isolation.circuitState(),
    })),
  );
  const unrouted = new Set<string>();
  /** Aborted when the edge stops: its open streams end then (normally), instead of holding the drain. */
  const stopping = new AbortController();
  /** The call as the chain sees it, how its failures are told, and what crosses the hop; undefined: no upstream. */
  const callOf = (
    method: ExposedMethod | ExposedStream,
    message: DecodedCall["message"],
    context: HandlerContext,
    signal = context.signal,
  ) => {
    const upstream = upstreams.get(method.method.parent.file.proto.package);
    if (upstream === undefined) throw new Error(`${method.path} has no upstream`);
    const edge = context.values.get(EDGE_REQUEST);
    if (edge === undefined) throw new Error("edge request missing: routes run only behind the HTTP edge");
    const call: DecodedCall = { exposed: method, message, context, edge, upstream };
    const failed = (error: ConnectError) => clientFacing(error, upstream.isolation.upstream, logger, edge.requestId);
    const hop = () => ({
      authorization: context.requestHeader.get(AUTHORIZATION_HEADER),
      requestId: edge.requestId,
      budgetMs: call.leftMs ?? 0,
      signal,
    });
    return { call, upstream, failed, hop };
  };
  const routed = (method: ExposedMethod | ExposedStream) => {
    if (upstreams.has(method.method.parent.file.proto.package)) return true;
    unrouted.add(method.method.parent.typeName);
    return false;
  };
  const routes = (router: ConnectRouter) => {
    for (const unary of exposed.methods.filter(routed)) {
      const handler = (message: DecodedCall["message"], context: HandlerContext) => {
        const { call, upstream, failed, hop } = callOf(unary, message, context);
        return chain.around(call, () => callUpstream(upstream.client, unary.method, message, hop(), failed));
      };
      router.rpc(unary.method, handler, { jsonOptions: JSON_READ });
    }
    for (const stream of exposed.streams.filter(routed)) {
      async function* handler(message: DecodedCall["message"], context: HandlerContext) {
        const signal = AbortSignal.any([context.signal, stopping.signal]);
        const { call, upstream, failed, hop } = callOf(stream, message, context, signal);
        let messages: AsyncGenerator<DecodedCall["message"]> | undefined;
        // The steps wrap the opening; what they are handed back is no answer of the stream's.
        await chain.around(call, async () => {
          messages = await openUpstreamStream(upstream.client, stream.method, message, hop(), failed);
          return create(stream.method.output);
        });
        if (messages === undefined) return;
        try {
          yield* messages;
        } catch (error) {
          // The stream's whole time is up (not a shorter one the client asked for), or the edge
          // stops: it ends as a stream should, and the client watches again.
          if ((error as ConnectError).code === Code.DeadlineExceeded && call.budget?.full === true) return;
          if (stopping.signal.aborted && !context.signal.aborted) return;
          throw error;
        }
      }
      router.rpc(stream.method, handler, { jsonOptions: JSON_READ });
    }
    explainBadBodies(router.handlers, config.maxBodyBytes);
  };
  return {
    routes,
    /** Ends every open stream normally (the edge is stopping): their clients reconnect to another replica. */
    endStreams: () => stopping.abort(),
    /** Closes the upstreams' connections (once the edge has answered its last call). */
    close() {
      unwatchCircuits();
      for (const upstream of new Set(upstreams.values())) upstream.client.close();
    },
    /** Logs the application services no upstream is configured for: they answer 404 here. */
    reportUnrouted() {
      if (unrouted.size > 0) logger.warn({ services: [...unrouted] }, "no upstream configured: not exposed");
    },
  };
}
