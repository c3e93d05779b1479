import type { Logger } from "pino";
import type { ClientPolicy } from "../../../runtime/client/client-policy.js";
import type { ExposedMethod, ExposedStream } from "../exposed-methods.js";
import type { GatewayConfig } from "../gateway-config.js";
import { type UpstreamClient, upstreamClient } from "./upstream-call.js";
import { UpstreamIsolation } from "./upstream-isolation.js";

/** One gRPC target: its client, and its bulkhead and breaker, shared by every package it serves. */
export interface Upstream {
  client: UpstreamClient;
  isolation: UpstreamIsolation;
}

/**
 * The upstream of each configured package. Packages served by the same
 * target share one: a process that hangs hangs for all it serves, and its
 * calls together are what its bulkhead bounds.
 */
export function upstreamsByPackage(
  config: GatewayConfig,
  methods: readonly (ExposedMethod | ExposedStream)[],
  policy: ClientPolicy,
  logger: Logger,
): Map<string, Upstream> {
  const packagesOf = new Map<string, string[]>();
  for (const [protoPackage, target] of config.upstreams) {
    packagesOf.set(target, [...(packagesOf.get(target) ?? []), protoPackage]);
  }
  const byPackage = new Map<string, Upstream>();
  for (const [target, packages] of packagesOf) {
    const isolation = new UpstreamIsolation(packages.join(","), config.isolation, logger);
    const served = methods.filter((m) => packages.includes(m.method.parent.file.proto.package)).map((m) => m.method);
    const upstream = { client: upstreamClient(target, served, policy), isolation };
    for (const protoPackage of packages) byPackage.set(protoPackage, upstream);
  }
  return byPackage;
}
