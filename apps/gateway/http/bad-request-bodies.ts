import { type DescMessage, fromBinary, fromJsonString, type JsonReadOptions } from "@bufbuild/protobuf";
import { isFieldError } from "@bufbuild/protobuf/reflect";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  createAsyncIterable,
  readAllBytes,
  type UniversalHandler,
  type UniversalServerRequest,
  type UniversalServerResponse,
} from "@connectrpc/connect/protocol";
import { codeToHttpStatus, errorToJsonBytes, parseContentType } from "@connectrpc/connect/protocol-connect";
import { BadRequest } from "nice-grpc-error-details";
import { readableDetails } from "./readable-details.js";

/**
 * How the edge reads a JSON body: strictly, as protobuf JSON parsers should
 * by default. A key the contract does not have (a typo, a field of another
 * version) is refused, instead of being dropped and the call going upstream
 * without what the client meant.
 */
export const JSON_READ: Partial<JsonReadOptions> = { ignoreUnknownFields: false };

/**
 * Connect decodes a body before any code of ours runs and tells what is
 * wrong in its message only (and answers 500 for a malformed binary body,
 * which is the client's fault). This wraps each route so that a body that
 * does not decode is a 400 whose google.rpc.BadRequest names the field, as
 * the upstreams' own refusals do: the route keeps the body's bytes (Connect
 * reads them whole anyway) and, when the answer is an error, decodes them
 * again as Connect did; if that fails, the error was the body's. Only for
 * the Connect protocol's uncompressed unary POSTs (what curl and browsers
 * send); the rest goes to Connect untouched.
 */
export function explainBadBodies(handlers: UniversalHandler[], maxBodyBytes: number): void {
  for (const [i, handler] of handlers.entries()) handlers[i] = explaining(handler, maxBodyBytes);
}

function explaining(handler: UniversalHandler, maxBodyBytes: number): UniversalHandler {
  const explained = async (request: UniversalServerRequest): Promise<UniversalServerResponse> => {
    const format = bodyFormat(request);
    if (format === undefined || !isByteStream(request.body)) return handler(request);
    let bytes: Uint8Array;
    try {
      bytes = await readAllBytes(request.body, maxBodyBytes, request.header.get("content-length"));
    } catch (error) {
      return errorResponse(ConnectError.from(error, Code.InvalidArgument));
    }
    const response = await handler({ ...request, body: createAsyncIterable([bytes]) });
    // What Connect answers a body it cannot decode: 400 (JSON) or 500 (binary).
    if (response.status !== 400 && response.status !== 500) return response;
    return errorResponse(decodingError(handler.method.input, format, bytes)) ?? response;
  };
  // The router and the adapter read the route's path, method and protocols from the handler itself.
  return Object.assign(explained, handler);
}

/** "json" or "binary" for a Connect unary POST with an uncompressed body; otherwise undefined. */
function bodyFormat(request: UniversalServerRequest): "json" | "binary" | undefined {
  if (request.method !== "POST") return undefined;
  const encoding = request.header.get("content-encoding");
  if (encoding !== null && encoding !== "identity") return undefined;
  const type = parseContentType(request.header.get("content-type"));
  if (type === undefined || type.stream) return undefined;
  return type.binary ? "binary" : "json";
}

function isByteStream(body: unknown): body is AsyncIterable<Uint8Array> {
  return typeof body === "object" && body !== null && Symbol.asyncIterator in body;
}

/** Why `bytes` is not a `desc` message, as INVALID_ARGUMENT naming the field; undefined when it is one. */
function decodingError(desc: DescMessage, format: "json" | "binary", bytes: Uint8Array): ConnectError | undefined {
  try {
    if (format === "json") fromJsonString(desc, new TextDecoder().decode(bytes), JSON_READ);
    else fromBinary(desc, bytes);
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const refusal = new ConnectError(message, Code.InvalidArgument);
    // @bufbuild/protobuf says which field in the cause of its error (a FieldError), for JSON.
    const cause = error instanceof Error ? error.cause : undefined;
    if (isFieldError(cause)) {
      const violation = { field: cause.field().name, description: cause.message };
      const value = BadRequest.encode(BadRequest.fromPartial({ fieldViolations: [violation] })).finish();
      refusal.details.push(...readableDetails([{ type: BadRequest.$type, value }]));
    }
    return refusal;
  }
}

function errorResponse(error: ConnectError): UniversalServerResponse;
function errorResponse(error: ConnectError | undefined): UniversalServerResponse | undefined;
function errorResponse(error: ConnectError | undefined): UniversalServerResponse | undefined {
  if (error === undefined) return undefined;
  const body = errorToJsonBytes(error, {});
  return {
    status: codeToHttpStatus(error.code),
    header: new Headers({ "content-type": "application/json", "content-length": String(body.byteLength) }),
    body: createAsyncIterable([body]),
  };
}
