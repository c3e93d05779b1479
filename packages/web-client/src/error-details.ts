import { ConnectError } from "@connectrpc/connect";
import {
  type BadRequest_FieldViolation,
  BadRequestSchema,
  type ErrorInfo,
  ErrorInfoSchema,
} from "../../../generated/es/google/rpc/error_details_pb.js";

// The google.rpc details the platform attaches to its errors, decoded with
// their schemas (the Connect protocol carries each as its type name and
// bytes). Any error goes in: what is not a ConnectError has no details.

/** The error's google.rpc.ErrorInfo: its stable `reason` (a contract's ErrorReason value's name), domain and metadata. */
export function errorInfoOf(error: unknown): ErrorInfo | undefined {
  return error instanceof ConnectError ? error.findDetails(ErrorInfoSchema)[0] : undefined;
}

/**
 * Why the call failed, for code to switch on: ErrorInfo.reason, such as
 * "INVALID_CREDENTIALS" (hr.session.v1.ErrorReason) or "CALLER_RATE_LIMITED"
 * (hr.gateway.v1.ErrorReason); the enums are under the package's schemas.
 */
export function reasonOf(error: unknown): string | undefined {
  return errorInfoOf(error)?.reason;
}

/** Every field a google.rpc.BadRequest names, with why it was refused: what a form shows beside its inputs. */
export function fieldViolationsOf(error: unknown): BadRequest_FieldViolation[] {
  if (!(error instanceof ConnectError)) return [];
  return error.findDetails(BadRequestSchema).flatMap((request) => request.fieldViolations);
}
