import type { JsonValue } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import { codeFromHttpStatus, errorFromJson } from "@connectrpc/connect/protocol-connect";

const CALL_TIMEOUT_MS = 30_000;

/** The target answered a redirect, which the replay does not follow: the body (a token, a password) is not sent on. */
export class RedirectRefused extends Error {
  constructor(
    readonly status: number,
    readonly location: string | null,
  ) {
    super(`the target answered HTTP ${status}, a redirect${location ? ` to ${location}` : ""}, which is not followed`);
  }
}

/**
 * One unary call to a gateway as its web clients make it: a POST of the
 * request's protobuf JSON to /<service>/<method>, the Connect protocol's
 * JSON form. Plain fetch rather than a Connect transport: the Node
 * transport streams the body over HTTP/1.1 without a Content-Length, which
 * the edge refuses (411) because it bounds bodies before reading them.
 * A redirect is never followed (RedirectRefused): fetch would send the body
 * again, to wherever the target points. Answers the response's JSON, or
 * throws the call's ConnectError.
 */
export async function callEdge(baseUrl: string, path: string, request: JsonValue, headers: Headers = new Headers()) {
  const response = await fetch(`${baseUrl.replace(/\/+$/, "")}${path}`, {
    method: "POST",
    headers: { ...Object.fromEntries(headers), "content-type": "application/json" },
    body: JSON.stringify(request),
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    redirect: "manual",
  });
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    throw new RedirectRefused(response.status, response.headers.get("location"));
  }
  const text = await response.text();
  const json = parsed(text);
  if (response.ok && json !== undefined) return json;
  const fallback = new ConnectError(
    `HTTP ${response.status}: ${text.slice(0, 200)}`,
    codeFromHttpStatus(response.status),
  );
  throw json === undefined ? fallback : errorFromJson(json, response.headers, fallback);
}

function parsed(text: string): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}
