import type { IncomingMessage, ServerResponse } from "node:http";
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, type Tracer, trace } from "@opentelemetry/api";
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from "@opentelemetry/semantic-conventions";

/**
 * The server span of one HTTP request at the edge, continuing the caller's
 * `traceparent` (a web client's own trace) when it sends one. The path is
 * recorded, never the query, which may hold a GET call's message. The span
 * is named after the route once answered; a path no route serves (404) keeps
 * the method alone, so that no stranger's path becomes a span name.
 */
export function httpSpans(tracer: Tracer) {
  return (request: IncomingMessage, response: ServerResponse, requestId: string, serve: () => void) => {
    const method = request.method ?? "GET";
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = tracer.startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: method,
          [ATTR_URL_PATH]: request.url?.split("?")[0] ?? "",
          [ATTR_URL_SCHEME]: "http",
          "hr.request_id": requestId,
        },
      },
      parent,
    );
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      // A version-less path is rewritten to the version served by now: the route taken.
      const route = request.url?.split("?")[0];
      if (response.statusCode !== 404 && route !== undefined) span.updateName(`${method} ${route}`);
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.statusCode);
      if (!response.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR, message: "the client went away" });
      else if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    response.once("finish", end);
    response.once("close", end);
    context.with(trace.setSpan(parent, span), serve);
  };
}
