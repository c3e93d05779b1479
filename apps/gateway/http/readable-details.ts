import type { JsonValue } from "@bufbuild/protobuf";
import type { ConnectError } from "@connectrpc/connect";
import {
  BadRequest,
  DebugInfo,
  ErrorInfo,
  Help,
  LocalizedMessage,
  PreconditionFailure,
  QuotaFailure,
  RequestInfo,
  ResourceInfo,
  RetryInfo,
} from "nice-grpc-error-details";

type Detail = ConnectError["details"][number];

/**
 * The google.rpc detail messages the platform's servers send, decoded with
 * the library that encoded them (nice-grpc-error-details): the descriptor
 * set of the contracts does not hold google.rpc, and no package of the
 * registry carries their descriptors for @bufbuild/protobuf.
 */
export const GOOGLE_RPC = new Map<
  string,
  { decode(bytes: Uint8Array): object; encode(message: never): { finish(): Uint8Array } }
>(
  [
    BadRequest,
    DebugInfo,
    ErrorInfo,
    Help,
    LocalizedMessage,
    PreconditionFailure,
    QuotaFailure,
    RequestInfo,
    ResourceInfo,
    RetryInfo,
  ].map((codec) => [codec.$type, codec]),
);

/**
 * An upstream error's details as the client should get them: each one as it
 * came (type and bytes, for typed clients), with `debug` holding the decoded
 * message as protobuf JSON (`{"fieldViolations":[{"field":"id",...}]}`), which
 * the Connect protocol sends along for a person to read. A detail of a type
 * not known here, or that does not decode, goes on as it came.
 */
export function readableDetails(details: readonly Detail[]): Detail[] {
  return details.map((detail) => {
    if ("desc" in detail || detail.debug !== undefined) return detail;
    const codec = GOOGLE_RPC.get(detail.type);
    if (codec === undefined) return detail;
    try {
      return { ...detail, debug: protoJson(codec.decode(detail.value)) ?? {} };
    } catch {
      return detail;
    }
  });
}

/**
 * A decoded message as protobuf JSON: fields under their JSON names (which
 * are the decoder's property names), fields at their default value left
 * out, Durations as "1.5s", without the decoder's own `$type`.
 */
function protoJson(value: unknown): JsonValue | undefined {
  if (value === undefined || value === null || value === "" || value === 0 || value === false) return undefined;
  if (Array.isArray(value)) {
    const items = value.map(protoJson).filter((item) => item !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (value instanceof Uint8Array) return value.length > 0 ? Buffer.from(value).toString("base64") : undefined;
  if (typeof value !== "object") return value as JsonValue;
  const fields = value as Record<string, unknown>;
  if (fields.$type === "google.protobuf.Duration") {
    return `${Number(fields.seconds ?? 0) + Number(fields.nanos ?? 0) / 1e9}s`;
  }
  const json: Record<string, JsonValue> = {};
  for (const [name, field] of Object.entries(fields)) {
    const rendered = name === "$type" ? undefined : protoJson(field);
    if (rendered !== undefined) json[name] = rendered;
  }
  return Object.keys(json).length > 0 ? json : undefined;
}
