import { execFile } from "node:child_process";
import { request as httpRequest } from "node:http";
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
    /** The same call from another client address: a loopback one such as 127.0.0.2 (any of 127.0.0.0/8 on Linux). */
    callFrom: (address: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
      callGatewayFrom(address, baseUrl, path, body, headers),
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

/** `callGateway` with `localAddress` as the client's address (fetch cannot choose it: node:http can). */
export function callGatewayFrom(
  localAddress: string,
  baseUrl: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  const payload = Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const sent = httpRequest(
      `${baseUrl}${path}`,
      {
        method: "POST",
        localAddress,
        agent: false,
        headers: { "content-type": "application/json", "content-length": String(payload.length), ...headers },
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => chunks.push(chunk));
        answer.on("error", reject);
        answer.on("end", () => {
          const answerHeaders = new Headers();
          for (const [name, value] of Object.entries(answer.headers)) {
            for (const one of [value ?? []].flat()) answerHeaders.append(name, one);
          }
          resolve(new Response(Buffer.concat(chunks), { status: answer.statusCode ?? 0, headers: answerHeaders }));
        });
      },
    );
    sent.on("error", reject);
    sent.end(payload);
  });
}

/** Runs `npm run replay` (apps/gateway/capture/replay) as a process: its exit code and what it printed. */
export function runReplay(args: string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  const tsx = new URL("../../node_modules/.bin/tsx", import.meta.url).pathname;
  const main = new URL("../../apps/gateway/capture/replay/main.ts", import.meta.url).pathname;
  return new Promise((resolve) => {
    execFile(tsx, [main, ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

export type GatewayUnderTest = Awaited<ReturnType<typeof startGatewayUnderTest>>;
