import type { Transport } from "@connectrpc/connect";
import type { Logger } from "pino";
import type { GatewayConfig } from "../gateway-config.js";
import { upstreamTransport } from "./upstream-call.js";
import { UpstreamIsolation } from "./upstream-isolation.js";

/** One gRPC target: its connection, and its bulkhead and breaker, shared by every package it serves. */
export interface Upstream {
  transport: Transport;
  isolation: UpstreamIsolation;
}

/**
 * The upstream of each configured package. Packages served by the same
 * target share one: a process that hangs hangs for all it serves, and its
 * calls together are what its bulkhead bounds.
 */
export function upstreamsByPackage(config: GatewayConfig, logger: Logger): Map<string, Upstream> {
  const packagesOf = new Map<string, string[]>();
  for (const [protoPackage, target] of config.upstreams) {
    packagesOf.set(target, [...(packagesOf.get(target) ?? []), protoPackage]);
  }
  const byPackage = new Map<string, Upstream>();
  for (const [target, packages] of packagesOf) {
    const isolation = new UpstreamIsolation(packages.join(","), config.isolation, logger);
    const upstream = { transport: upstreamTransport(target), isolation };
    for (const protoPackage of packages) byPackage.set(protoPackage, upstream);
  }
  return byPackage;
}
