import { create, type JsonValue, toJson } from "@bufbuild/protobuf";
import type { ConnectError } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { type PersonalValues, redactStrings, redactText } from "../../../runtime/privacy/redact.js";
import { readableDetails } from "../http/readable-details.js";

/**
 * One line of a capture file (JSON lines): one call as the edge answered
 * it, its personal and secret fields scrubbed by the contract's marks.
 * `npm run replay` reads these lines back.
 */
export interface CapturedCall {
  /** When the request arrived (ISO 8601). */
  time: string;
  /** The method's path: "/hr.selfservice.v1.SelfService/GetMyProfile". */
  path: string;
  /** The caller's tenant and user (the token's subject); absent for a call made without a token. */
  tenantId?: string;
  userId?: string;
  /** The request id the edge answered in `x-request-id`. */
  requestId: string;
  /** The request in protobuf JSON, scrubbed. */
  request: JsonValue;
  /** The response in protobuf JSON, scrubbed; absent when the call failed (or the client went away first). */
  response?: JsonValue;
  error?: CapturedError;
  /** The HTTP status answered (499 when the client went away first). */
  status: number;
  durationMs: number;
}

/** A failed call as its client saw it: Connect's error code, message and google.rpc details. */
export interface CapturedError {
  /** "invalid_argument", as the Connect protocol names codes. */
  code: string;
  message: string;
  details: CapturedDetail[];
}

/** A detail decoded to protobuf JSON when it is a google.rpc type (readable-details.ts); of any other type only its name. */
export interface CapturedDetail {
  type: string;
  value?: JsonValue;
}

/**
 * `error` as a capture records it. Messages and details are free text a
 * server wrote, and may quote what the request held: every value of the
 * request's marked fields is redacted from them. Details of a type the
 * edge cannot decode are kept by name only: their bytes could hold anything.
 */
export function capturedError(error: ConnectError, values: PersonalValues): CapturedError {
  return {
    code: codeToString(error.code),
    message: redactText(error.rawMessage, values),
    details: readableDetails(error.details).map((detail) => redactStrings(decodedDetail(detail), values)),
  };
}

function decodedDetail(detail: ConnectError["details"][number]): CapturedDetail {
  if ("desc" in detail) {
    return { type: detail.desc.typeName, value: toJson(detail.desc, create(detail.desc, detail.value)) };
  }
  // Decoded by readableDetails when it is a google.rpc type; otherwise only its name is kept.
  return detail.debug === undefined ? { type: detail.type } : { type: detail.type, value: detail.debug };
}
