import { readReplicaBalancing } from "../client/client-config.js";
import type { Env } from "../config.js";
import { metricsPortOf } from "../metrics/metrics-config.js";
import { envPrefix, type ProcessName, portOf } from "../platform.js";
import type { BannerService } from "./banner.js";
import type { LaunchConfig } from "./launch-config.js";

// `REPLICAS=2 npm start`: each process as several replicas, each its own
// child on its own port (`<NAME>_PORT`, + REPLICA_PORT_STEP, ...), restarted
// on its own by the launcher, with its metrics on its own port too
// (`<NAME>_METRICS_PORT`, + REPLICA_PORT_STEP, ...; 0 stays 0, off). Clients are given every replica's address and
// balance over them (runtime/client/replica-balancing.ts). Events need no
// care: one relay per database and one delivering replica per consumer hold
// an advisory lock (docs/events.md), and the onboarding cases are claimed
// one runner at a time.

/** A process as the launcher runs it: one replica, on its own port. */
export interface LaunchedService extends BannerService {
  /** The edge stops first (no new requests), then the apps (they may still call data services), then the rest. */
  kind: "data" | "app" | "edge";
  /** Entry point, relative to the repository root, without extension (see children.ts). */
  entry: string;
  env: Record<string, string>;
  /** Its own database: created if missing, its URL passed in `urlEnv`; the service migrates it on start. */
  database?: { name: string; urlEnv: string };
  /** Gets the private signing key: the processes that mint tokens (session for people, onboarding for itself). */
  signsTokens?: true;
}

/** The ports of `name`'s replicas, the first one on `<NAME>_PORT`. */
export function replicaPorts(name: ProcessName, config: LaunchConfig, env: Env = process.env): number[] {
  const first = portOf(name, env);
  return Array.from({ length: config.replicas[name] }, (_, i) => first + i * config.REPLICA_PORT_STEP);
}

/** Where a client finds every replica of `name`: their addresses, comma separated (runtime/client/grpc-target.ts). */
export function replicaTarget(name: ProcessName, config: LaunchConfig, env: Env = process.env): string {
  return replicaPorts(name, config, env)
    .map((port) => `127.0.0.1:${port}`)
    .join(",");
}

/**
 * Each process as its replicas: "people" as declared, then "people 2", ...,
 * each told its own port. A process run as several replicas keeps serving
 * for a while after SIGTERM (SHUTDOWN_DELAY_MS, while reporting NOT_SERVING)
 * unless the environment sets that delay: long enough for every client to
 * reconnect to a peer restarted just before (its reconnection is at most
 * CLIENT_RECONNECT_MAX_MS apart), so that a rolling restart, one replica
 * after another, never leaves a client with no replica connected.
 */
export function replicated(
  config: LaunchConfig,
  processes: readonly (Omit<LaunchedService, "metricsPort"> & { name: ProcessName })[],
  env: Env = process.env,
): LaunchedService[] {
  const shutdownDelayMs = 3 * readReplicaBalancing(env).reconnectMaxMs;
  return processes.flatMap(({ example, ...first }) => {
    const ports = replicaPorts(first.name, config, env);
    const firstMetrics = metricsPortOf(first.name, env);
    const metricsPort = (i: number) => (firstMetrics === 0 ? 0 : firstMetrics + i * config.REPLICA_PORT_STEP);
    const delay: Record<string, string> =
      ports.length > 1 && !env.SHUTDOWN_DELAY_MS ? { SHUTDOWN_DELAY_MS: String(shutdownDelayMs) } : {};
    return ports.map((port, i) => ({
      ...first,
      // The banner shows one example call, on the first replica.
      ...(i === 0 && example && { example }),
      name: i === 0 ? first.name : `${first.name} ${i + 1}`,
      port,
      metricsPort: metricsPort(i),
      env: {
        ...first.env,
        ...delay,
        [`${envPrefix(first.name)}_PORT`]: String(port),
        [`${envPrefix(first.name)}_METRICS_PORT`]: String(metricsPort(i)),
      },
    }));
  });
}
