import { readFileSync } from "node:fs";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { PrivacyMarks } from "../../runtime/privacy/privacy-marks.js";

// Every field whose name looks personal or secret carries the option that
// says so (proto/hr/privacy/v1/privacy.proto): logs, captures and replays
// scrub by that option alone, so a forgotten one would leak silently. This
// test reads the descriptor set and names the fields that lack it.

const DESCRIPTOR_SET = readFileSync(new URL("../../generated/descriptor.binpb", import.meta.url));

/** Field names that hold a person's data or a credential, in any message of any context. */
const LOOKS_PERSONAL = [
  /(^|_)(given|family|first|last|middle|maiden|full|display|login|candidate|legal|preferred)_name$/,
  /nickname/,
  /email/,
  /birth/,
  /salary|compensation|wage|pay_rate|bank|iban/,
  /phone|mobile/,
  /address/,
  /national_id|ssn|social_security|passport|tax_id/,
  /(^|_)notes?$/,
  /password|passphrase|secret|credential|api_key/,
  /token/,
];

/**
 * Names that match a pattern above and are not personal, each with why.
 * Keyed by "<message full name>.<field>" so an allowance covers one field.
 */
const NOT_PERSONAL = new Map<string, string>([
  // Page tokens: opaque cursors signed by the service over method, tenant,
  // filters and last key; they grant nothing and name nobody.
  ...[
    "hr.candidacy.v1.ListApplicationsRequest.page_token",
    "hr.candidacy.v1.ListApplicationsResponse.next_page_token",
    "hr.employee.v1.ListEmployeesRequest.page_token",
    "hr.employee.v1.ListEmployeesResponse.next_page_token",
    "hr.identity.v1.ListAccountsRequest.page_token",
    "hr.identity.v1.ListAccountsResponse.next_page_token",
    "hr.notification.v1.ListNotificationsRequest.page_token",
    "hr.notification.v1.ListNotificationsResponse.next_page_token",
    "hr.onboarding.v1.ListOnboardingsRequest.page_token",
    "hr.onboarding.v1.ListOnboardingsResponse.next_page_token",
    "hr.onboardingcase.v1.ListCasesRequest.page_token",
    "hr.onboardingcase.v1.ListCasesResponse.next_page_token",
    "hr.organization.v1.ListDepartmentsRequest.page_token",
    "hr.organization.v1.ListDepartmentsResponse.next_page_token",
    "hr.requisition.v1.ListJobOpeningsRequest.page_token",
    "hr.requisition.v1.ListJobOpeningsResponse.next_page_token",
    "hr.selfservice.v1.ListMyLeaveAccountsRequest.page_token",
    "hr.selfservice.v1.ListMyLeaveAccountsResponse.next_page_token",
    "hr.selfservice.v1.ListMyLeaveMovementsRequest.page_token",
    "hr.selfservice.v1.ListMyLeaveMovementsResponse.next_page_token",
    "hr.selfservice.v1.ListMyNotificationsRequest.page_token",
    "hr.selfservice.v1.ListMyNotificationsResponse.next_page_token",
    "hr.timeoff.v1.ListLeaveAccountsRequest.page_token",
    "hr.timeoff.v1.ListLeaveAccountsResponse.next_page_token",
    "hr.timeoff.v1.ListLeaveMovementsRequest.page_token",
    "hr.timeoff.v1.ListLeaveMovementsResponse.next_page_token",
  ].map((field) => [field, "a page cursor"] as const),
  // When a credential expires or changed: a time, not the credential.
  ["hr.session.v1.Tokens.access_token_expire_time", "when the token expires"],
  ["hr.session.v1.Tokens.refresh_token_expire_time", "when the sign-in ends"],
  ["hr.identity.v1.Account.password_change_time", "when the password last changed"],
]);

/** "<message>.<field>" of every field that looks personal and carries neither option nor an allowance. */
function unmarkedPersonalFields(descriptorSet: Uint8Array): string[] {
  const marks = PrivacyMarks.fromDescriptorSet(descriptorSet);
  const unmarked: string[] = [];
  for (const file of marks.registry.files) {
    if (!file.proto.package.startsWith("hr.")) continue;
    for (const message of allMessages(file.messages)) {
      for (const field of message.fields) {
        const name = `${message.typeName}.${field.name}`;
        // A field holding a message of the contracts (`Tokens tokens`) is judged by that message's own fields.
        if (field.message?.file.proto.package.startsWith("hr.")) continue;
        if (!LOOKS_PERSONAL.some((pattern) => pattern.test(field.name))) continue;
        if (marks.of(field) === undefined && !NOT_PERSONAL.has(name)) unmarked.push(name);
      }
    }
  }
  return unmarked.sort();
}

function allMessages<M extends { nestedMessages: M[] }>(messages: M[]): M[] {
  return messages.flatMap((message) => [message, ...allMessages(message.nestedMessages)]);
}

/** The descriptor set with the options of one field removed, as if someone forgot to mark it. */
function withoutMarkOn(messageName: string, fieldName: string): Uint8Array {
  const set = fromBinary(FileDescriptorSetSchema, DESCRIPTOR_SET);
  const field = set.file
    .flatMap((file) => file.messageType.map((message) => ({ message, typeName: `${file.package}.${message.name}` })))
    .find(({ typeName }) => typeName === messageName)
    ?.message.field.find((f) => f.name === fieldName);
  if (field?.options === undefined) throw new Error(`no ${messageName}.${fieldName} with options`);
  // Custom options are unknown fields of FieldOptions to the decoder.
  field.options.$unknown = undefined;
  return toBinary(FileDescriptorSetSchema, set);
}

describe("privacy marks in the contract", () => {
  const marks = PrivacyMarks.fromDescriptorSet(DESCRIPTOR_SET);
  const markOf = (message: string, field: string) => {
    const desc = marks.registry.getMessage(message)?.fields.find((f) => f.name === field);
    if (desc === undefined) throw new Error(`no ${message}.${field}`);
    return marks.of(desc);
  };

  it("marks every field whose name looks personal or secret", () => {
    expect(unmarkedPersonalFields(DESCRIPTOR_SET)).toEqual([]);
  });

  it("tells personal data from credentials, and leaves ids and business facts unmarked", () => {
    expect(markOf("hr.employee.v1.Employee", "given_name")).toBe("pii");
    expect(markOf("hr.timeoff.v1.LeaveRequest", "note")).toBe("pii");
    expect(markOf("hr.session.v1.LoginRequest", "password")).toBe("secret");
    expect(markOf("hr.session.v1.Tokens", "refresh_token")).toBe("secret");
    expect(markOf("hr.sessionstore.v1.RotateRefreshTokenRequest", "new_refresh_token_hash")).toBe("secret");
    expect(markOf("hr.employee.v1.Employee", "id")).toBeUndefined();
    expect(markOf("hr.employee.v1.Employee", "job_title")).toBeUndefined();
  });

  it("allows only fields that exist, so a stale allowance is noticed", () => {
    const missing = [...NOT_PERSONAL.keys()].filter((name) => {
      const at = name.lastIndexOf(".");
      return (
        marks.registry.getMessage(name.slice(0, at))?.fields.find((f) => f.name === name.slice(at + 1)) === undefined
      );
    });
    expect(missing).toEqual([]);
  });

  it("finds a personal field whose mark was removed, so the check cannot pass vacuously", () => {
    const stripped = withoutMarkOn("hr.employee.v1.HireEmployeeRequest", "work_email");
    expect(unmarkedPersonalFields(stripped)).toEqual(["hr.employee.v1.HireEmployeeRequest.work_email"]);
  });
});
