import { readFileSync } from "node:fs";
import {
  type CompatServiceDefinition,
  createServer,
  type ServiceImplementation,
  type TsProtoServiceDefinition,
} from "nice-grpc";
import type { CallContext, ServerMiddlewareCall } from "nice-grpc-common";
import { errorDetailsServerMiddleware } from "nice-grpc-error-details";
import { HealthDefinition, HealthServiceImpl, HealthState } from "nice-grpc-server-health";
import { ServerReflection, ServerReflectionService } from "nice-grpc-server-reflection";
import type { Logger } from "pino";
import { authorizationRules } from "../auth/authorization-rules.js";
import type { Caller } from "../auth/caller.js";
import type { RuntimeConfig } from "../config.js";
import { admissionRefusals, watchAdmission } from "../metrics/admission-metrics.js";
import { serverCallMetrics } from "../metrics/server-metrics.js";
import { PrivacyMarks } from "../privacy/privacy-marks.js";
import { stopTracing, tracedServerCalls, tracingStarted } from "../tracing/tracing.js";
import { admission } from "./admission.js";
import { authentication } from "./authentication.js";
import {
  type Access,
  authorization,
  logMethodsWithoutRule,
  methodPaths,
  requirePublicRulesMatch,
} from "./authorization.js";
import { callLog } from "./call-log.js";
import type { CallScope } from "./call-scope.js";
import { declaredReasons } from "./declared-reasons.js";
import { errorMapping } from "./error-mapping.js";
import { listenWithDeadlineCap } from "./grpc-timeout-cap.js";
import { HEALTH_SERVICE } from "./health-file.js";
import { metadataLimit } from "./metadata-limit.js";
import { watchReadiness } from "./readiness-watch.js";
import { servedFiles } from "./served-files.js";

/** What every business handler receives: the verified caller and its access to the method. */
type BusinessContext = { scope: CallScope; caller: Caller; access: Access };

/** The implementation of a business service: every handler receives the verified caller. */
export type BusinessService<D extends CompatServiceDefinition> = ServiceImplementation<D, BusinessContext>;

/**
 * A business service: its generated definition and a handler that receives
 * the verified caller, or, for a public one (a sign-in service, called
 * before the caller holds a token), a handler that gets no caller. Its
 * methods' rules must say `public`: a method is open only where both the
 * contract and the wiring say so.
 */
export type ServedService = {
  definition: TsProtoServiceDefinition;
  /**
   * Ends what the service holds open across calls (the live streams of a
   * watch): called when the server stops, after NOT_SERVING and before the
   * drain, so a stream that would never end on its own does not hold the
   * shutdown until the grace period.
   */
  close?: () => Promise<void>;
} & (
  | {
      public: false;
      // biome-ignore lint/suspicious/noExplicitAny: heterogeneous list; `serve()` checks each pair's types.
      implementation: ServiceImplementation<any, BusinessContext>;
    }
  | {
      public: true;
      // biome-ignore lint/suspicious/noExplicitAny: heterogeneous list; `servePublic()` checks each pair's types.
      implementation: ServiceImplementation<any, { scope: CallScope }>;
    }
);

/** Pairs a definition with its implementation, type-checked against each other. */
export function serve<D extends TsProtoServiceDefinition>(
  definition: D,
  implementation: BusinessService<D>,
): ServedService {
  return { definition, implementation, public: false };
}

/**
 * A service callers reach before they hold a token (session's Login,
 * Refresh, Logout): no authentication, so its handlers receive no caller.
 */
export function servePublic<D extends TsProtoServiceDefinition>(
  definition: D,
  implementation: ServiceImplementation<D, { scope: CallScope }>,
): ServedService {
  return { definition, implementation, public: true };
}

export interface GrpcServerOptions {
  /** Process name used in logs and error details, e.g. "people". */
  name: string;
  port: number;
  config: RuntimeConfig;
  logger: Logger;
  services: readonly ServedService[];
  /** Resolves while the server can do its work (its database answers); checked every config.readinessIntervalMs. */
  readiness?: () => Promise<void>;
}

export interface RunningServer {
  port: number;
  /** Reports NOT_SERVING, lets in-flight calls finish within the grace period, then stops. */
  stop(): Promise<void>;
}

const DESCRIPTOR_SET = new URL("../../generated/descriptor.binpb", import.meta.url);

/**
 * Starts a gRPC server with health and reflection (no token needed) and the
 * given business services behind authentication, authorization and
 * admission (load shedding), unless served public. Every call gets one log
 * line and error mapping.
 */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningServer> {
  const { config, logger, services } = options;
  // The middleware below traces only once tracing is on: the first call is traced too.
  await tracingStarted();
  const health = HealthState();
  // Every Watch stream listens for status changes while it is open: many probes are no leak.
  health.setMaxListeners(0);
  const descriptorSet = readFileSync(DESCRIPTOR_SET);
  const streams = new Set(services.flatMap(({ definition }) => streamingPaths(definition)));
  const paths = services.filter((service) => !service.public).flatMap(({ definition }) => methodPaths(definition));
  // Load shedding: refusals that need no caller come first of all (admission.ts).
  // A live stream is not a call in flight: it would hold a slot for minutes
  // and teach the limit that the method takes that long.
  const callMetrics = serverCallMetrics(options.name);
  const admittedPaths = new Set(paths.filter((path) => !streams.has(path)));
  const shedding =
    config.admission.maxLimit > 0
      ? admission(
          config.admission,
          logger,
          `${options.name}.hr`,
          admittedPaths,
          admissionRefusals(options.name, callMetrics),
        )
      : undefined;
  const unwatchAdmission = shedding ? watchAdmission(options.name, shedding.state) : () => {};
  // grpc-js passes this on as the HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS of every connection (see config.ts).
  const server = createServer({ "grpc.max_concurrent_streams": config.maxConcurrentStreams })
    // Outermost: the span covers every refusal below, and the call's log line names its trace.
    .use(tracedServerCalls)
    .use(errorDetailsServerMiddleware)
    .use(shedding?.refuseEarly ?? passOn)
    .use(callLog(logger, config.maxDeadlineMs, callMetrics))
    .use(metadataLimit())
    .use(
      errorMapping(
        logger,
        `${options.name}.hr`,
        declaredReasons(descriptorSet),
        PrivacyMarks.fromDescriptorSet(descriptorSet),
      ),
    );

  // Authorization after authentication, by the rules the contracts declare;
  // then load shedding, which needs the caller's tenant (and should not spend
  // a slot on a call authorization refuses). Health and reflection are never shed.
  const rules = authorizationRules(descriptorSet);
  const authorized = server.with(authentication(config.auth)).with(authorization(rules, `${options.name}.hr`));
  const admitted = shedding ? authorized.with(shedding.admit) : authorized;
  for (const service of services) {
    requirePublicRulesMatch(rules, service);
    if (service.public) server.add(service.definition, service.implementation);
    else admitted.add(service.definition, service.implementation);
  }
  logMethodsWithoutRule(rules, paths, logger);

  // Reflection lists the business services and health, and describes this
  // port's contracts only, not every process's.
  const names = services.map((s) => s.definition.fullName);
  const listed = [...names, HEALTH_SERVICE];
  server.add(HealthDefinition, HealthServiceImpl(health));
  server.add(ServerReflectionService, ServerReflection(servedFiles(descriptorSet, listed), listed));

  // A far grpc-timeout from any client is capped before grpc-js arms a timer that would overflow.
  const port = await listenWithDeadlineCap(() => server.listen(`${config.host}:${options.port}`), config.maxDeadlineMs);
  logger.info({ port, services: names }, "serving");

  // Health answers for the whole server ("") and for each service it serves.
  const setHealth = (status: "healthy" | "unhealthy") => {
    health.setStatus(status);
    for (const name of names) health.setStatus(status, name);
  };
  setHealth("healthy");
  let stopping: Promise<void> | undefined;
  const unwatch = options.readiness
    ? watchReadiness(
        options.readiness,
        config.readinessIntervalMs,
        (ready) => stopping === undefined && setHealth(ready ? "healthy" : "unhealthy"),
        logger,
      )
    : () => {};
  const stop = () => {
    stopping ??= drain();
    return stopping;
  };
  async function drain(): Promise<void> {
    // Load balancers and probes see NOT_SERVING first, while calls are still answered.
    unwatch();
    setHealth("unhealthy");
    await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
    // Live streams end now (their clients reconnect elsewhere); unary calls drain below.
    await Promise.all(services.map((service) => service.close?.()));
    // From here on new calls are refused; the ones in flight may finish.
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), config.shutdownGraceMs);
    });
    const outcome = await Promise.race([server.shutdown().then(() => "drained" as const), graceOver]);
    clearTimeout(timer);
    if (outcome === "timeout") {
      logger.warn({ graceMs: config.shutdownGraceMs }, "grace period over: cancelling the calls still in flight");
      server.forceShutdown();
    }
    unwatchAdmission();
    logger.info("stopped");
  }
  return { port, stop };
}

/** The paths of a definition's methods that answer with a stream. */
function streamingPaths(definition: TsProtoServiceDefinition): string[] {
  return Object.values(definition.methods)
    .filter((method) => method.responseStream)
    .map((method) => `/${definition.fullName}/${method.name}`);
}

/** A middleware that does nothing (load shedding off). */
async function* passOn<Request, Response>(call: ServerMiddlewareCall<Request, Response>, context: CallContext) {
  return yield* call.next(call.request, context);
}

/** Stops the server, then the process's resources, on SIGTERM or SIGINT. */
export function stopOnSignals(logger: Logger, stopAll: () => Promise<void>): void {
  let received = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) return;
    received = true;
    logger.info({ signal }, "shutting down");
    // The spans of the last calls are sent before the process ends.
    const stopped = stopAll().then(stopTracing);
    stopped.then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}
