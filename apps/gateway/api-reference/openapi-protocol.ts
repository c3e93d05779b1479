import { Code } from "@connectrpc/connect";
import { codeToHttpStatus, codeToString } from "@connectrpc/connect/protocol-connect";

/**
 * What the Connect protocol and this edge add to every method, for the
 * OpenAPI document: the request headers a client may send, the headers of an
 * answer, and the error body with the HTTP status of each error code, taken
 * from Connect's own code-to-status table so the document says what the
 * server does.
 */

const ref = (kind: string, name: string) => ({ $ref: `#/components/${kind}/${name}` });

const codes = Object.values(Code).filter((code): code is Code => typeof code === "number");

/** The error codes answered with each HTTP status. Canceled (499) is left out: its client has gone and reads nothing. */
const codesByStatus = new Map<number, string[]>();
for (const code of codes) {
  if (code === Code.Canceled) continue;
  const status = codeToHttpStatus(code);
  codesByStatus.set(status, [...(codesByStatus.get(status) ?? []), codeToString(code)]);
}

/** Answers the edge gives before Connect reads the body (http-edge.ts). */
const EDGE_ANSWERS: Record<number, string> = {
  411: "The request has no Content-Length (code `invalid_argument`).",
  413: "The request body is over the gateway's limit (code `resource_exhausted`).",
};

const responseNames = new Map<number, string>(
  [...[...codesByStatus.keys()], ...Object.keys(EDGE_ANSWERS).map(Number)]
    .sort((a, b) => a - b)
    .map((status) => [status, `Error${status}`]),
);

/** Every operation's error answers, by HTTP status. */
export const errorResponses = Object.fromEntries(
  [...responseNames].map(([status, name]) => [String(status), ref("responses", name)]),
);

export const requestHeaders = [
  ref("parameters", "ConnectProtocolVersion"),
  ref("parameters", "ConnectTimeoutMs"),
  ref("parameters", "RequestId"),
];

export const successHeaders = {
  "X-Request-Id": ref("headers", "RequestId"),
  "RateLimit-Limit": ref("headers", "RateLimitLimit"),
  "RateLimit-Remaining": ref("headers", "RateLimitRemaining"),
  "RateLimit-Reset": ref("headers", "RateLimitReset"),
};

const integerHeader = (description: string) => ({ description, schema: { type: "integer", minimum: 0 } });

export const connectErrorComponents = {
  schemas: {
    ConnectError: {
      type: "object",
      description: "The body of every error answer (the Connect protocol's error JSON).",
      properties: {
        code: { type: "string", enum: codes.map(codeToString), description: "The gRPC status code, in snake_case." },
        message: { type: "string", description: "What went wrong, for a developer (not for display)." },
        details: {
          type: "array",
          description: "google.rpc details: ErrorInfo with a stable `reason`, BadRequest field violations, ...",
          items: ref("schemas", "ConnectErrorDetail"),
        },
      },
      required: ["code"],
    },
    ConnectErrorDetail: {
      type: "object",
      properties: {
        type: { type: "string", description: 'The detail\'s message type, e.g. "google.rpc.ErrorInfo".' },
        value: {
          type: "string",
          format: "byte",
          contentEncoding: "base64",
          description: "The detail, binary protobuf.",
        },
        debug: { description: "The same detail as JSON, for people reading it." },
      },
      required: ["type", "value"],
    },
  },
  responses: Object.fromEntries(
    [...responseNames].map(([status, name]) => {
      const codesOf = codesByStatus.get(status);
      const description =
        codesOf === undefined
          ? (EDGE_ANSWERS[status] ?? "")
          : `Error codes ${codesOf.map((code) => `\`${code}\``).join(", ")}.`;
      return [
        name,
        {
          description,
          ...(status === 429 ? { headers: { "Retry-After": ref("headers", "RetryAfter"), ...successHeaders } } : {}),
          content: { "application/json": { schema: ref("schemas", "ConnectError") } },
        },
      ];
    }),
  ),
  parameters: {
    ConnectProtocolVersion: {
      name: "Connect-Protocol-Version",
      in: "header",
      description: "The Connect protocol's version; optional here.",
      schema: { type: "string", enum: ["1"] },
    },
    ConnectTimeoutMs: {
      name: "Connect-Timeout-Ms",
      in: "header",
      description: "The call's budget in milliseconds: the gateway shortens its own to it, never lengthens it.",
      schema: { type: "integer", minimum: 1, maximum: 9_999_999_999 },
    },
    RequestId: {
      name: "X-Request-Id",
      in: "header",
      description: "The call's id in every log line of every hop; a new one is minted when absent or malformed.",
      schema: { type: "string", pattern: "^[A-Za-z0-9._:-]{1,128}$" },
    },
  },
  headers: {
    RequestId: {
      description: "The call's id: the client's, or the one the gateway minted.",
      schema: { type: "string" },
    },
    RateLimitLimit: integerHeader("Calls allowed per window by the tighter of the tenant's and the caller's limits."),
    RateLimitRemaining: integerHeader("Calls left in the current window."),
    RateLimitReset: integerHeader("Seconds until the window resets."),
    RetryAfter: integerHeader("Seconds to wait before calling again."),
  },
};
