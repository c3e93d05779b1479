import type { Logger } from "pino";
import { clientPolicyOf } from "../../runtime/client/client-config.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import { edgeRequestMetrics } from "../../runtime/metrics/edge-metrics.js";
import { PrivacyMarks } from "../../runtime/privacy/privacy-marks.js";
import { tracingStarted } from "../../runtime/tracing/tracing.js";
import { apiReferencePages } from "./api-reference/api-reference.js";
import { TrafficCapture } from "./capture/traffic-capture.js";
import { CredentialAttempts } from "./chain/credential-attempts.js";
import { composeChain } from "./chain/edge-interceptor.js";
import { edgeChain } from "./edge-chain.js";
import { edgeRoutes } from "./edge-routes.js";
import { exposedMethods } from "./exposed-methods.js";
import type { GatewayConfig } from "./gateway-config.js";
import { addressAdmission } from "./http/address-admission.js";
import { corsPolicy } from "./http/edge-cors.js";
import { type HttpEdge, LIVE_PATH, listenHttpEdge, READY_PATH } from "./http/http-edge.js";
import { EdgeRateLimits } from "./limits/rate-limits.js";
import { ApiVersions } from "./versions/api-versions.js";
import { followVersionsFile } from "./versions/versions-file.js";
/**
 * The edge gateway: every application service's methods, read from the
 * descriptor set, served over HTTP with the Connect protocol (JSON or
 * binary) and forwarded to the application servers over gRPC, behind
 * authentication, version routing, rate limits and deadlines; and their
 * reference for people at /docs.
 */
export async function startGateway(options: {
  gateway: GatewayConfig;
  config: RuntimeConfig;
  logger: Logger;
}): Promise<{ port: number; stop(): Promise<void> }> {
  const { gateway, config, logger } = options;
  // The edge and its upstream clients trace only once tracing is on: the first request is traced too.
  await tracingStarted();
  const { methods, streams, skipped } = exposedMethods();
  if (skipped.length > 0) logger.warn({ methods: skipped }, "client and bidirectional streams are not exposed");
  const limits = new EdgeRateLimits(gateway.limits, gateway.credentialAttempts, logger);
  let credentials: CredentialAttempts;
  try {
    credentials = new CredentialAttempts(gateway.credentialAttempts, methods, limits.counters.credentialFailures);
  } catch (error) {
    await limits.close();
    throw error;
  }
  await limits.settled();
  const capture = TrafficCapture.open(gateway.capture, PrivacyMarks.fromDescriptorSet(), logger);
  const routed = [...methods, ...streams].filter((m) => gateway.upstreams.has(m.method.parent.file.proto.package));
  const versions = new ApiVersions(routed.map((m) => m.path));
  const followed = followVersionsFile(gateway.versionsFile, gateway.versionsPollMs, versions, logger);
  const chain = composeChain(
    edgeChain({
      versions,
      routing: followed.routing,
      auth: config.auth,
      limits,
      capture,
      deadlines: gateway,
      credentials,
    }),
  );
  const {
    routes,
    reportUnrouted,
    close: closeUpstreams,
    endStreams,
  } = edgeRoutes({ methods, streams }, gateway, clientPolicyOf(config), chain, logger);
  // Metrics by route: the routed methods' paths (versioned or not) and the probes; all else is one label.
  const routedPaths = new Set(routed.map((m) => m.path));
  const answered = edgeRequestMetrics(
    (path) => routedPaths.has(path) || versions.route(path) !== undefined || path === LIVE_PATH || path === READY_PATH,
  );
  let edge: HttpEdge;
  try {
    // Unary methods only: the document describes those, no stream (openApiDocument takes unary methods).
    const reference = apiReferencePages(new Set(methods.filter((m) => routed.includes(m)).map((m) => m.path)));
    if (reference.undocumented.length > 0) {
      logger.warn(
        { methods: reference.undocumented },
        "generated/openapi.json lacks routed methods (run npm run generate): the API reference omits them",
      );
    }
    edge = await listenHttpEdge({
      host: config.host,
      port: gateway.port,
      maxBodyBytes: gateway.maxBodyBytes,
      trustedProxies: gateway.trustedProxies,
      routes,
      cors: corsPolicy(gateway.corsOrigins),
      pages: reference.serve,
      // Counted first, before anything is read or verified; the chain's before-body steps after the body's bound.
      admit: addressAdmission(limits),
      beforeBody: chain.beforeBody,
      logger,
      onAnswered: (request, status, durationMs, path) => {
        answered(path, status, durationMs);
        capture?.record(request, status, durationMs);
      },
    });
  } catch (error) {
    followed.stop();
    closeUpstreams();
    await limits.close();
    await capture?.close();
    throw error;
  }
  reportUnrouted();
  return {
    port: edge.port,
    async stop() {
      followed.stop();
      // Streams live for minutes: ended first, they do not hold the drain of the unary calls.
      endStreams();
      await edge.stop(config.shutdownGraceMs);
      closeUpstreams();
      // Last: the calls still finishing above take from the counts too.
      await limits.close();
      // After the last answer: its line is written too.
      await capture?.close();
    },
  };
}
