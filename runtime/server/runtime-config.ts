import { readAuthConfig } from "../auth/auth-config.js";
import { readClientThrottle, readReplicaBalancing } from "../client/client-config.js";
import type { Env, RuntimeConfig } from "../config.js";
import { readAdmissionConfig } from "./admission-config.js";
import { serverVariables } from "./server-config.js";

/**
 * What every server and client of a process is given, from the slices of the
 * modules that use it: server (this folder), auth/, client/.
 */
export function readRuntimeConfig(env: Env = process.env): RuntimeConfig {
  const v = serverVariables.read(env);
  return {
    host: v.LISTEN_HOST,
    logLevel: v.LOG_LEVEL,
    logFormat: v.LOG_FORMAT,
    shutdownDelayMs: v.SHUTDOWN_DELAY_MS,
    shutdownGraceMs: v.SHUTDOWN_GRACE_MS,
    readinessIntervalMs: v.HEALTH_CHECK_INTERVAL_MS,
    defaultDeadlineMs: v.DEFAULT_DEADLINE_MS,
    maxDeadlineMs: v.MAX_DEADLINE_MS,
    maxConcurrentStreams: v.GRPC_MAX_CONCURRENT_STREAMS,
    auth: readAuthConfig(env),
    admission: readAdmissionConfig(env),
    clientThrottle: readClientThrottle(env),
    balancing: readReplicaBalancing(env),
  };
}
