import type { ContextNames } from "../names.js";

/**
 * The contract of a scaffolded context: one service with Get, List, Create,
 * Update and Archive, written to the conventions every context follows
 * (request ids, etags, pages, tenant from the token, a rule per method,
 * privacy marks) and formatted as `buf format` writes it.
 */

/** proto/hr/<context>/v1/<aggregate>_service.proto */
export function serviceProto(n: ContextNames): string {
  const rule = (who: string, roles: string[]) =>
    `    // Who: ${who}
    option (hr.auth.v1.authorization) = {
      allow: [${roles.length === 1 ? roles[0] : `\n${roles.map((r) => `        ${r}`).join(",\n")}\n      `}]
    };`;
  const readers = rule(`HR keeps the ${n.nouns}; managers read them.`, ["ROLE_HR_ADMIN", "ROLE_MANAGER"]);
  const writers = rule(`HR keeps the ${n.nouns}.`, ["ROLE_HR_ADMIN"]);
  const command = (verb: string, what: string, then: string) => `// Request of ${verb}${n.Aggregate}.
message ${verb}${n.Aggregate}Request {
  // Client-chosen id of this call, see Create${n.Aggregate}Request.request_id.
  string request_id = 1;
  // Id of the ${n.noun} to ${what}.
  string id = 2;
  // The ${n.noun}'s current etag.
  string etag = 3;
}

// Response of ${verb}${n.Aggregate}.
message ${verb}${n.Aggregate}Response {
  // The ${n.noun}, ${then}.
  ${n.Aggregate} ${n.snake} = 1;
}`;
  return `syntax = "proto3";

package ${n.protoPackage};

import "google/protobuf/field_mask.proto";
import "google/protobuf/timestamp.proto";
import "hr/auth/v1/authorization.proto";
import "hr/privacy/v1/privacy.proto";

// ${n.Service} owns the ${n.nouns} of a tenant. ${n.Aggregate} is the
// aggregate root of the ${n.context} context. Its lifecycle is
//
//   Create${n.Aggregate} → ACTIVE → Archive${n.Aggregate} → ARCHIVED
//
// ARCHIVED is final: the ${n.noun} stays readable but cannot change (reason
// ${n.SCREAMING}_ARCHIVED).
//
// The tenant comes from the caller's token; reading another tenant's
// ${n.noun} answers NOT_FOUND.
//
// Every mutating method takes a \`request_id\`: repeating a call with the same
// id returns the first result and writes nothing, so they are safe to retry.
// Methods that change an existing ${n.noun} take its \`etag\`; a stale etag is
// refused with ABORTED (reason ETAG_MISMATCH) and nothing is written.
service ${n.Service} {
  // Returns one ${n.noun}, archived or not.
  rpc Get${n.Aggregate}(Get${n.Aggregate}Request) returns (Get${n.Aggregate}Response) {
    option idempotency_level = NO_SIDE_EFFECTS;
${readers}
  }

  // Lists ${n.nouns} in a stable order (creation order), one page at a
  // time, optionally filtered by status.
  rpc List${n.Aggregates}(List${n.Aggregates}Request) returns (List${n.Aggregates}Response) {
    option idempotency_level = NO_SIDE_EFFECTS;
${readers}
  }

  // Creates a ${n.noun} in status ACTIVE.
  rpc Create${n.Aggregate}(Create${n.Aggregate}Request) returns (Create${n.Aggregate}Response) {
    option idempotency_level = IDEMPOTENT;
${writers}
  }

  // Changes the title or note of a ${n.noun}. Only the fields named in
  // \`update_mask\` change. Refused with FAILED_PRECONDITION (reason
  // ${n.SCREAMING}_ARCHIVED) once the ${n.noun} is ARCHIVED.
  rpc Update${n.Aggregate}(Update${n.Aggregate}Request) returns (Update${n.Aggregate}Response) {
    option idempotency_level = IDEMPOTENT;
${writers}
  }

  // Archives a ${n.noun}: ACTIVE → ARCHIVED. Refused with
  // FAILED_PRECONDITION (reason ${n.SCREAMING}_ARCHIVED) when it already is.
  rpc Archive${n.Aggregate}(Archive${n.Aggregate}Request) returns (Archive${n.Aggregate}Response) {
    option idempotency_level = IDEMPOTENT;
${writers}
  }
}

// A ${n.noun} of the tenant.
message ${n.Aggregate} {
  // Server-assigned identifier (a UUID), unique across tenants.
  string id = 1;
  // Title, 1 to 200 characters.
  string title = 2;
  // Free text, up to 2000 characters; may be empty and may span several
  // lines. It may name people, so it is personal data.
  string note = 3 [(hr.privacy.v1.pii) = true];
  // Where the ${n.noun} is in its lifecycle.
  ${n.Aggregate}Status status = 4;
  // Opaque version tag; pass it back on commands to detect concurrent edits.
  string etag = 5;
  // When the ${n.noun} was created.
  google.protobuf.Timestamp create_time = 6;
  // When the ${n.noun} last changed.
  google.protobuf.Timestamp update_time = 7;
}

// Lifecycle status of a ${n.noun}.
enum ${n.Aggregate}Status {
  // Never set by the server; as a List filter it means "any status".
  ${n.SCREAMING}_STATUS_UNSPECIFIED = 0;
  // In use: can be changed.
  ${n.SCREAMING}_STATUS_ACTIVE = 1;
  // Archived: final and read-only, kept for history.
  ${n.SCREAMING}_STATUS_ARCHIVED = 2;
}

// Request of Get${n.Aggregate}.
message Get${n.Aggregate}Request {
  // Id of the ${n.noun} to read.
  string id = 1;
}

// Response of Get${n.Aggregate}.
message Get${n.Aggregate}Response {
  // The ${n.noun}.
  ${n.Aggregate} ${n.snake} = 1;
}

// Request of List${n.Aggregates}.
message List${n.Aggregates}Request {
  // Maximum number of ${n.nouns} to return: 1 to 200; 0 means 50.
  int32 page_size = 1;
  // \`next_page_token\` of the previous page; empty for the first page. A
  // token is only valid with the same filters it was issued for.
  string page_token = 2;
  // Only ${n.nouns} in this status, unless UNSPECIFIED.
  ${n.Aggregate}Status status = 3;
}

// Response of List${n.Aggregates}.
message List${n.Aggregates}Response {
  // One page of ${n.nouns}, in creation order.
  repeated ${n.Aggregate} ${n.snakes} = 1;
  // Token for the next page; empty on the last page.
  string next_page_token = 2;
}

// Request of Create${n.Aggregate}.
message Create${n.Aggregate}Request {
  // Client-chosen id of this call (1 to 100 characters, a UUID is a good
  // choice). Repeating it returns the first result; reusing it with another
  // payload is refused with INVALID_ARGUMENT (reason REQUEST_ID_REUSED).
  string request_id = 1;
  // Title, 1 to 200 characters.
  string title = 2;
  // Free text, up to 2000 characters; may be empty.
  string note = 3 [(hr.privacy.v1.pii) = true];
}

// Response of Create${n.Aggregate}.
message Create${n.Aggregate}Response {
  // The ${n.noun} as created, in status ACTIVE.
  ${n.Aggregate} ${n.snake} = 1;
}

// Request of Update${n.Aggregate}.
message Update${n.Aggregate}Request {
  // Client-chosen id of this call, see Create${n.Aggregate}Request.request_id.
  string request_id = 1;
  // The ${n.noun}'s new values. \`id\` and \`etag\` are required; only the
  // fields named in \`update_mask\` are read.
  ${n.Aggregate} ${n.snake} = 2;
  // Fields to change: any of "title", "note".
  google.protobuf.FieldMask update_mask = 3;
}

// Response of Update${n.Aggregate}.
message Update${n.Aggregate}Response {
  // The ${n.noun} after the change.
  ${n.Aggregate} ${n.snake} = 1;
}

${command("Archive", "archive", "now ARCHIVED")}
`;
}

/** proto/hr/<context>/v1/error_reason.proto: the enum alone, each value's comment opening with its status code. */
export function errorReasonProto(n: ContextNames): string {
  return `syntax = "proto3";

package ${n.protoPackage};

// Every reason an ErrorInfo of this context can carry: ErrorInfo.reason is the
// value's name, so clients switch on it. The status code each comes with is
// given first. Values are not prefixed with the enum name, as in
// google.api.ErrorReason: the name is the wire value (buf's ENUM_VALUE_PREFIX
// rule is off for this file).
enum ErrorReason {
  // Never sent.
  ERROR_REASON_UNSPECIFIED = 0;
  // INVALID_ARGUMENT: the request is malformed; BadRequest lists every bad field.
  INVALID_ARGUMENT = 1;
  // INVALID_ARGUMENT: the request_id was already used with another payload.
  REQUEST_ID_REUSED = 2;
  // ABORTED: the etag is stale; read the resource again and retry with its new etag.
  ETAG_MISMATCH = 3;
  // INVALID_ARGUMENT: the page_token was not issued for this query (other filters, tenant or method).
  INVALID_PAGE_TOKEN = 4;
  // NOT_FOUND: no such ${n.noun} in the caller's tenant.
  ${n.SCREAMING}_NOT_FOUND = 5;
  // FAILED_PRECONDITION: the ${n.noun} is archived and read-only.
  ${n.SCREAMING}_ARCHIVED = 6;
}
`;
}
