import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ConnectError, createContextValues } from "@connectrpc/connect";
import { codeToHttpStatus, errorToJson } from "@connectrpc/connect/protocol-connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { Logger } from "pino";
import { REQUEST_ID_HEADER } from "../../../runtime/client/call-headers.js";
import { tracedHttpRequest } from "../../../runtime/tracing/tracing.js";
import type { CorsPolicy } from "./edge-cors.js";
import { EDGE_REQUEST, type EdgeRequest, identify } from "./request-identity.js";

/** Liveness: the process answers. Readiness: it takes new calls (not while draining). */
export const LIVE_PATH = "/healthz/live";
export const READY_PATH = "/healthz/ready";

export interface HttpEdge {
  port: number;
  /** Stops taking requests (readiness 503, new ones refused), lets the ones in flight finish within `graceMs`, then closes. */
  stop(graceMs: number): Promise<void>;
}

/**
 * A step the HTTP server takes for a request before Connect reads its body: it may
 * set answer headers, rewrite `request.url`, or refuse the request by
 * throwing a ConnectError, which is answered in the Connect protocol's JSON
 * error form with the error's metadata as headers.
 */
export type EdgeStep = (request: IncomingMessage, response: ServerResponse, edge: EdgeRequest) => Promise<void>;

/**
 * The gateway's HTTP/1.1 server, which does for every request what is about
 * HTTP rather than a call, in this order:
 *  1. identity: the request id (answered on every response, health and
 *     refusals included) and the client's address; one access-log line;
 *  2. health: liveness and readiness, never counted or refused;
 *  3. CORS, so that a browser script can read every answer below;
 *  4. draining: 503 once the server stops;
 *  5. the count per client address (`admit`), before anything is read;
 *  6. the docs pages (`pages`);
 *  7. the body's bound (411/413), before it is read;
 *  8. the chain's before-body steps (`beforeBody`: edge-chain.ts);
 *  then Connect, which reads and decodes the body and runs the route.
 * From 3 on, the request is traced when tracing is on (runtime/tracing).
 */
export async function listenHttpEdge(options: {
  host: string;
  port: number;
  maxBodyBytes: number;
  /** How many proxies' X-Forwarded-For entries tell the client's address (client-address.ts). */
  trustedProxies: number;
  routes: Parameters<typeof connectNodeAdapter>[0]["routes"];
  /** The browser origins' policy (edge-cors.ts); none: no CORS headers. */
  cors?: CorsPolicy;
  /** Pages served beside the routes (the API reference): answers and returns true for a path of its own. */
  pages?: (request: IncomingMessage, response: ServerResponse, path: string) => boolean;
  /** Before anything else is done for a request (health probes aside): counts it against its client's address. */
  admit: EdgeStep;
  /** After the body's bound, before Connect routes and decodes the request: the chain's before-body steps (edge-chain.ts). */
  beforeBody: EdgeStep;
  logger: Logger;
  /** Told of every request once it is answered (the traffic capture). */
  onAnswered?: AnswerListener;
}): Promise<HttpEdge> {
  const { logger, maxBodyBytes } = options;
  const requests = new WeakMap<IncomingMessage, EdgeRequest>();
  const connect = connectNodeAdapter({
    routes: options.routes,
    // Connect's own bound too, for a body that lies about its length.
    readMaxBytes: maxBodyBytes,
    contextValues: (request) => createContextValues().set(EDGE_REQUEST, requests.get(request as IncomingMessage)),
    // A path no route serves: 404, and a body saying so as Connect clients read errors.
    fallback: (request, response) =>
      answer(response as ServerResponse, 404, {
        code: "unimplemented",
        message: `${request.url?.split("?")[0]} is not a method the gateway serves`,
      }),
  });
  let draining = false;

  const server: Server = createServer((request, response) => {
    // 1. identity and the access log
    const edge = identify(request, options.trustedProxies);
    requests.set(request, edge);
    response.setHeader(REQUEST_ID_HEADER, edge.requestId);
    logOnFinish(request, response, edge, logger, options.onAnswered);
    if (draining) response.setHeader("connection", "close");
    const path = request.url?.split("?")[0];
    // 2. health
    if (path === LIVE_PATH) return answer(response, 200, { status: "live" });
    if (path === READY_PATH) return answer(response, draining ? 503 : 200, { status: draining ? "draining" : "ready" });
    // 3. CORS first, so that a browser script can read every answer below, refusals included;
    // all of it in the request's span (when tracing is on), which the upstream call continues.
    tracedHttpRequest(request, response, edge.requestId, () => {
      if (options.cors === undefined) serve(request, response, path, edge);
      else options.cors(request, response, () => serve(request, response, path, edge));
    });
  });
  const serve = (request: IncomingMessage, response: ServerResponse, path: string | undefined, edge: EdgeRequest) => {
    // 4. draining
    if (draining) return answer(response, 503, { code: "unavailable", message: "the gateway is shutting down" });
    beforeConnect(request, response, path, edge).then(
      (served) => {
        if (!served) connect(request, response);
      },
      (error: unknown) => {
        // Refused before the body was read: the connection cannot be reused.
        if (request.method === "POST") response.setHeader("connection", "close");
        if (error instanceof ConnectError) return answerError(response, error);
        logger.error({ err: error, requestId: edge.requestId }, "resolving the route failed");
        answer(response, 500, { code: "internal", message: "internal error" });
      },
    );
  };
  /** The edge's own work on a request, in order; true when it answered the request itself. */
  const beforeConnect = async (
    request: IncomingMessage,
    response: ServerResponse,
    path: string | undefined,
    edge: EdgeRequest,
  ) => {
    // 5. the address count, 6. the docs pages, 7. the body's bound, 8. the chain's before-body steps
    await options.admit(request, response, edge);
    if (path !== undefined && options.pages?.(request, response, path)) return true;
    const refusal = bodyRefusal(request, maxBodyBytes);
    if (refusal !== undefined) {
      // The body is not read: the connection cannot be reused.
      response.setHeader("connection", "close");
      answer(response, refusal.status, { code: refusal.code, message: refusal.message });
      return true;
    }
    await options.beforeBody(request, response, edge);
    return false;
  };
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  logger.info({ port }, "serving");

  return {
    port,
    async stop(graceMs) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), graceMs);
      });
      if ((await Promise.race([closed, graceOver])) === "timeout") {
        logger.warn({ graceMs }, "grace period over: closing the connections still open");
        server.closeAllConnections();
        await closed;
      }
      clearTimeout(timer);
      logger.info("stopped");
    },
  };
}

/**
 * A body the edge refuses before reading it: larger than allowed (413), or of
 * unknown length (411), which could only be bounded by reading it.
 */
function bodyRefusal(request: IncomingMessage, maxBodyBytes: number) {
  if (request.method !== "POST") return undefined;
  const declared = request.headers["content-length"];
  if (declared === undefined) {
    return { status: 411, code: "invalid_argument", message: "a request body needs a Content-Length" };
  }
  if (Number(declared) > maxBodyBytes) {
    const message = `request body of ${declared} bytes is over the limit of ${maxBodyBytes}`;
    return { status: 413, code: "resource_exhausted", message };
  }
  return undefined;
}

/** A Connect-style JSON answer for what the edge decides itself. */
function answer(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

/** A refusal of the edge's own (a rate limit) as Connect answers errors: its status, its headers, its JSON body. */
function answerError(response: ServerResponse, error: ConnectError): void {
  for (const [name, value] of error.metadata) response.setHeader(name, value);
  answer(response, codeToHttpStatus(error.code), errorToJson(error, undefined));
}

/** What the edge tells once a request is answered: its HTTP status (499: the client went away first), duration, and path as asked. */
export type AnswerListener = (edge: EdgeRequest, status: number, durationMs: number, path: string | undefined) => void;

/** One line per request when its answer is sent (or its client went away). */
function logOnFinish(
  request: IncomingMessage,
  response: ServerResponse,
  edge: EdgeRequest,
  logger: Logger,
  onAnswered: AnswerListener | undefined,
): void {
  const started = performance.now();
  // The path as the client asked it: a version-less one is rewritten before Connect sees it.
  const path = request.url?.split("?")[0];
  let logged = false;
  const log = () => {
    if (logged) return;
    logged = true;
    const status = response.writableFinished ? response.statusCode : 499;
    const level = status >= 500 ? "error" : status >= 400 ? "warn" : "info";
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    logger[level]({
      method: request.method,
      path,
      apiVersion: edge.apiVersion,
      status,
      durationMs,
      requestId: edge.requestId,
      tenantId: edge.tenantId,
    });
    onAnswered?.(edge, status, durationMs, path);
  };
  response.once("finish", log);
  response.once("close", log);
}
