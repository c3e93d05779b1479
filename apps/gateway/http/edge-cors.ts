import type { IncomingMessage, ServerResponse } from "node:http";
import { cors as connectCors } from "@connectrpc/connect";
import cors from "cors";
import { REQUEST_ID_HEADER } from "../../../runtime/client/call-headers.js";

/** Headers a browser script sends besides the protocol's own: the token and its request id. */
const REQUEST_HEADERS = ["authorization", REQUEST_ID_HEADER];
/** Headers a browser script may read besides the protocol's own: its request id and why and how long to wait. */
const RESPONSE_HEADERS = [
  REQUEST_ID_HEADER,
  "retry-after",
  "ratelimit-limit",
  "ratelimit-remaining",
  "ratelimit-reset",
];
/** How long a browser may reuse a preflight's answer (Chromium keeps one at most 2 hours). */
const PREFLIGHT_MAX_AGE_SECONDS = 7200;

/** Sets a request's CORS headers, answers it if it is a preflight, and otherwise hands it to `next`. */
export type CorsPolicy = (request: IncomingMessage, response: ServerResponse, next: () => void) => void;

/**
 * CORS for the browser clients of the origins listed, and for no one else:
 * an allowed origin is echoed in Access-Control-Allow-Origin, any other gets
 * none (its browser then keeps the answer from the script), and every answer
 * says `Vary: Origin` so caches keep them apart. Preflights (OPTIONS) are
 * answered here with what the Connect protocol needs (connect-es's own
 * lists) plus the bearer token and the request id. No credentials mode: the
 * token travels in a header, never in a cookie. With no origin listed there
 * is no policy and no CORS header at all. The `cors` package (Express's)
 * does the header work: it is a plain Node middleware, kept and widely used.
 */
export function corsPolicy(origins: readonly string[]): CorsPolicy | undefined {
  if (origins.length === 0) return undefined;
  const middleware = cors({
    origin: [...origins],
    methods: [...connectCors.allowedMethods],
    allowedHeaders: [...connectCors.allowedHeaders, ...REQUEST_HEADERS],
    exposedHeaders: [...connectCors.exposedHeaders, ...RESPONSE_HEADERS],
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
  });
  return (request, response, next) => middleware(request, response, () => next());
}
