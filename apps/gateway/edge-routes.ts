import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import type { Logger } from "pino";
import { AUTHORIZATION_HEADER } from "../../runtime/server/call-scope.js";
import type { TrafficCapture } from "./capture/traffic-capture.js";
import type { CredentialAttempts } from "./chain/credential-attempts.js";
import { callerOf } from "./chain/edge-authentication.js";
import { budgetOf } from "./chain/edge-deadlines.js";
import type { ExposedMethod } from "./exposed-methods.js";
import type { GatewayConfig } from "./gateway-config.js";
import { explainBadBodies, JSON_READ } from "./http/bad-request-bodies.js";
import { EDGE_REQUEST } from "./http/request-identity.js";
import { callUpstream } from "./upstream/upstream-call.js";
import { clientFacing } from "./upstream/upstream-failures.js";
import { type Upstream, upstreamsByPackage } from "./upstream/upstreams.js";

/** What every route shares: the checks made at the edge, in the order a call meets them. */
export interface EdgeChecks {
  config: GatewayConfig;
  /** The failed sign-ins counted per address and tenant. */
  credentials: CredentialAttempts;
  /** The sampled capture of calls, when configured. */
  capture?: TrafficCapture;
}

/**
 * One Connect route per exposed method whose package has an upstream, all
 * built by the same code from the descriptors. By the time a route runs, the
 * edge has counted the call against its address, verified its token and
 * counted it against its caller and tenant (http-edge.ts). Connect decodes
 * the JSON (or binary) body with the method's input descriptor (a malformed
 * body, an unknown key or a wrong field type is 400 naming the field:
 * bad-request-bodies.ts), then the token is judged for the method, failed
 * sign-ins are counted (credential-attempts.ts), the budget is checked, and
 * the message is sent upstream over gRPC through that upstream's bulkhead
 * and circuit breaker (upstream-isolation.ts); a failure on the way is told
 * without the upstream's address (upstream-failures.ts). Paths with no route
 * are 404.
 */
export function edgeRoutes(methods: readonly ExposedMethod[], checks: EdgeChecks, logger: Logger) {
  const upstreams = upstreamsByPackage(checks.config, logger);
  const unrouted = new Set<string>();
  const routes = (router: ConnectRouter) => {
    for (const exposed of methods) {
      const upstream = upstreams.get(exposed.method.parent.file.proto.package);
      if (upstream === undefined) unrouted.add(exposed.method.parent.typeName);
      else
        router.rpc(
          exposed.method,
          (request, context) => {
            const call = () => edgeCall(exposed, upstream, checks, request, context, logger);
            return checks.capture ? checks.capture.around(exposed.method, request, context, call) : call();
          },
          { jsonOptions: JSON_READ },
        );
    }
    explainBadBodies(router.handlers, checks.config.maxBodyBytes);
  };
  return {
    routes,
    /** Logs the application services no upstream is configured for: they answer 404 here. */
    reportUnrouted() {
      if (unrouted.size > 0) logger.warn({ services: [...unrouted] }, "no upstream configured: not exposed");
    },
  };
}

async function edgeCall(
  exposed: ExposedMethod,
  upstream: Upstream,
  checks: EdgeChecks,
  request: Parameters<typeof callUpstream>[2],
  context: HandlerContext,
  logger: Logger,
) {
  const edge = context.values.get(EDGE_REQUEST);
  if (edge === undefined) throw new Error("edge request missing: routes run only behind the HTTP edge");
  if (edge.credentials === undefined) throw new Error("credentials missing: every route is resolved before Connect");
  const authorization = context.requestHeader.get(AUTHORIZATION_HEADER);
  // 401 unless the token suits the method (the call was counted before its body was read: edge-admission.ts).
  callerOf(exposed, edge.credentials);
  const budgetMs = budgetOf(checks.config, exposed.path, context.timeoutMs());
  const configuredMs = checks.config.methodDeadlines.get(exposed.path) ?? checks.config.deadlineMs;
  const call = {
    budgetMs,
    fullBudget: budgetMs >= configuredMs,
    minBudgetMs: checks.config.minBudgetMs,
    signal: context.signal,
  };
  const failed = (error: unknown) => clientFacing(error, upstream.isolation.upstream, logger, edge.requestId);
  return checks.credentials.around(exposed, request, edge.clientAddress, () =>
    upstream.isolation.run(call, (leftMs) =>
      callUpstream(
        upstream.transport,
        exposed.method,
        request,
        { authorization, requestId: edge.requestId, budgetMs: leftMs, signal: context.signal },
        failed,
      ),
    ),
  );
}
