import type { Logger } from "pino";
import { readGatewayConfig } from "../../apps/gateway/gateway-config.js";
import { startGateway } from "../../apps/gateway/gateway-server.js";
import { testConfig, testLogger } from "./callers.js";

/**
 * A real gateway on a free port in front of the given application servers
 * (`upstreams`: proto package → "host:port"), with `env` for the rest of its
 * configuration (limits, deadlines, body size) as GATEWAY_* variables, and
 * `logger` for a test that reads what the gateway logs.
 */
export async function startGatewayUnderTest(
  upstreams: Record<string, string>,
  env: Record<string, string> = {},
  logger: Logger = testLogger(),
) {
  const gateway = await startGateway({
    gateway: readGatewayConfig({
      GATEWAY_PORT: "0",
      GATEWAY_UPSTREAMS: Object.entries(upstreams)
        .map(([protoPackage, target]) => `${protoPackage}=${target}`)
        .join(","),
      ...env,
    }),
    config: testConfig,
    logger,
  });
  const baseUrl = `http://127.0.0.1:${gateway.port}`;
  return {
    baseUrl,
    call: (path: string, body: unknown, headers: Record<string, string> = {}) =>
      callGateway(baseUrl, path, body, headers),
    stop: () => gateway.stop(),
  };
}

/** A unary call as curl makes it: POST /<service>/<method> with a JSON body (a string is sent as it is). */
export function callGateway(baseUrl: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export type GatewayUnderTest = Awaited<ReturnType<typeof startGatewayUnderTest>>;
