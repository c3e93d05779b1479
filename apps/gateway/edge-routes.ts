import type { ConnectError, ConnectRouter } from "@connectrpc/connect";
import type { Logger } from "pino";
import type { ClientPolicy } from "../../runtime/client/service-client.js";
import { AUTHORIZATION_HEADER } from "../../runtime/server/call-scope.js";
import type { DecodedCall, EdgeChain } from "./chain/edge-interceptor.js";
import type { ExposedMethod } from "./exposed-methods.js";
import type { GatewayConfig } from "./gateway-config.js";
import { explainBadBodies, JSON_READ } from "./http/bad-request-bodies.js";
import { EDGE_REQUEST } from "./http/request-identity.js";
import { callUpstream } from "./upstream/upstream-call.js";
import { clientFacing } from "./upstream/upstream-failures.js";
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
 */
export function edgeRoutes(
  methods: readonly ExposedMethod[],
  config: GatewayConfig,
  policy: ClientPolicy,
  chain: EdgeChain,
  logger: Logger,
) {
  const upstreams = upstreamsByPackage(config, methods, policy, logger);
  const unrouted = new Set<string>();
  const routes = (router: ConnectRouter) => {
    for (const exposed of methods) {
      const upstream = upstreams.get(exposed.method.parent.file.proto.package);
      if (upstream === undefined) {
        unrouted.add(exposed.method.parent.typeName);
        continue;
      }
      const handler = (message: DecodedCall["message"], context: DecodedCall["context"]) => {
        const edge = context.values.get(EDGE_REQUEST);
        if (edge === undefined) throw new Error("edge request missing: routes run only behind the HTTP edge");
        const call: DecodedCall = { exposed, message, context, edge, upstream };
        const failed = (error: ConnectError) =>
          clientFacing(error, upstream.isolation.upstream, logger, edge.requestId);
        const hop = () => ({
          authorization: context.requestHeader.get(AUTHORIZATION_HEADER),
          requestId: edge.requestId,
          budgetMs: call.leftMs ?? 0,
          signal: context.signal,
        });
        return chain.around(call, () => callUpstream(upstream.client, exposed.method, message, hop(), failed));
      };
      router.rpc(exposed.method, handler, { jsonOptions: JSON_READ });
    }
    explainBadBodies(router.handlers, config.maxBodyBytes);
  };
  return {
    routes,
    /** Closes the upstreams' connections (once the edge has answered its last call). */
    close() {
      for (const upstream of new Set(upstreams.values())) upstream.client.close();
    },
    /** Logs the application services no upstream is configured for: they answer 404 here. */
    reportUnrouted() {
      if (unrouted.size > 0) logger.warn({ services: [...unrouted] }, "no upstream configured: not exposed");
    },
  };
}
