import type { ChildProcess } from "node:child_process";
import net from "node:net";
import { createChannel, createClient } from "nice-grpc";
import { HealthDefinition } from "nice-grpc-server-health";
import { HealthCheckResponse_ServingStatus } from "nice-grpc-server-health/lib/proto/grpc/health/v1/health.js";
import { hasExited } from "./children.js";

// When a child counts as started: its server answers grpc.health.v1 Check on
// "" (the whole server) with SERVING, what a load balancer or a Kubernetes
// probe asks too. An open port alone would also be any process that happens
// to listen there.

const POLL_MS = 50;

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    const done = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.setTimeout(1_000, () => done(false));
  });
}

/** Resolves once the server on `port` reports SERVING; rejects if `child` (when given) exits first or after `timeoutMs`. */
export async function waitUntilServing(
  port: number,
  child: ChildProcess | undefined,
  timeoutMs: number,
): Promise<void> {
  // grpc-js backs off up to 2 minutes between reconnects by default; a server
  // still starting refuses connections for a second or two, so poll briskly.
  const channel = createChannel(`127.0.0.1:${port}`, undefined, {
    "grpc.initial_reconnect_backoff_ms": POLL_MS,
    "grpc.max_reconnect_backoff_ms": POLL_MS,
  });
  const health = createClient(HealthDefinition, channel);
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  try {
    for (;;) {
      if (child && hasExited(child))
        throw new Error(`exited (${child.signalCode ?? `code ${child.exitCode}`}) before serving`);
      if (Date.now() > deadline) throw new Error(`not serving on port ${port} after ${timeoutMs / 1000} s (${last})`);
      try {
        const { status } = await health.check({ service: "" }, { signal: AbortSignal.timeout(1_000) });
        if (status === HealthCheckResponse_ServingStatus.SERVING) return;
        last = `health: ${HealthCheckResponse_ServingStatus[status]}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    channel.close();
  }
}

/** Resolves once the HTTP server on `port` answers its readiness path with 200 (the gateway speaks no gRPC health). */
export async function waitUntilReady(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  for (;;) {
    if (hasExited(child)) throw new Error(`exited (${child.signalCode ?? `code ${child.exitCode}`}) before serving`);
    if (Date.now() > deadline) throw new Error(`not ready on port ${port} after ${timeoutMs / 1000} s (${last})`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz/ready`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
      last = `readiness: HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
