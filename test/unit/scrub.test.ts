import { readFileSync } from "node:fs";
import {
  create,
  createFileRegistry,
  type DescMessage,
  fromBinary,
  type JsonValue,
  setExtension,
} from "@bufbuild/protobuf";
import {
  anyPack,
  FieldOptionsSchema,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
  file_google_protobuf_any,
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
} from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { PrivacyMarks, SCRUBBED } from "../../runtime/privacy/privacy-marks.js";
import { redactText } from "../../runtime/privacy/redact.js";
import { personalValues, scrubJson, scrubMessage } from "../../runtime/privacy/scrub.js";

// Scrubbing by the contract's marks, over the real descriptor set, plus one
// test file declaring the shapes no contract has yet (maps, a oneof, an Any)
// so every path of the walk is exercised.

const DESCRIPTOR_SET = readFileSync(new URL("../../generated/descriptor.binpb", import.meta.url));
const marks = PrivacyMarks.fromDescriptorSet(DESCRIPTOR_SET);
const PII = SCRUBBED.pii;
const SECRET = SCRUBBED.secret;

function message(registry: PrivacyMarks, typeName: string): DescMessage {
  const desc = registry.registry.getMessage(typeName);
  if (desc === undefined) throw new Error(`no ${typeName}`);
  return desc;
}

describe("scrubbing real contracts", () => {
  it("replaces personal fields of a nested message and keeps the others", () => {
    const response = {
      employee: {
        id: "0b6c3f0e-5a9e-4c1e-9d0e-2f1a3b4c5d6e",
        givenName: "Ada",
        familyName: "Lovelace",
        workEmail: "ada@example.com",
        jobTitle: "Engineer",
        hireDate: "2024-01-15",
        status: "EMPLOYEE_STATUS_ACTIVE",
        updateTime: "2026-01-05T10:00:00Z",
      },
    };
    expect(scrubJson(marks, message(marks, "hr.selfservice.v1.GetMyProfileResponse"), response)).toEqual({
      employee: { ...response.employee, givenName: PII, familyName: PII, workEmail: PII },
    });
  });

  it("scrubs every element of a repeated field, two messages deep", () => {
    const response: JsonValue = {
      leaveRequests: [
        { employeeId: "e1", displayName: "Ada", leaveRequest: { id: "r1", note: "surgery", startDate: "2026-03-02" } },
        { employeeId: "e2", displayName: "Grace", leaveRequest: { id: "r2", startDate: "2026-03-09" } },
      ],
    };
    expect(scrubJson(marks, message(marks, "hr.selfservice.v1.ListTeamLeaveRequestsResponse"), response)).toEqual({
      leaveRequests: [
        { employeeId: "e1", displayName: PII, leaveRequest: { id: "r1", note: PII, startDate: "2026-03-02" } },
        { employeeId: "e2", displayName: PII, leaveRequest: { id: "r2", startDate: "2026-03-09" } },
      ],
    });
  });

  it("marks credentials as secrets, accepts proto field names, and leaves out keys the message does not declare", () => {
    const request = { tenant_id: "acme", loginName: "ada@example.com", password: "hunter2", sessionCookie: "x" };
    expect(scrubJson(marks, message(marks, "hr.session.v1.LoginRequest"), request)).toEqual({
      tenant_id: "acme",
      loginName: PII,
      password: SECRET,
    });
  });
});

/** A registry of the real contracts plus test.v1.Folder, which has a map, a marked map, a oneof and an Any. */
function withFolder(): PrivacyMarks {
  const set = fromBinary(FileDescriptorSetSchema, DESCRIPTOR_SET);
  const pii = marks.registry.getExtension("hr.privacy.v1.pii");
  if (pii === undefined) throw new Error("no pii option");
  const marked = () => {
    const options = create(FieldOptionsSchema);
    setExtension(options, pii, true);
    return options;
  };
  const optional = Label.OPTIONAL;
  const text = (name: string, number: number, options?: ReturnType<typeof marked>, oneofIndex?: number) => ({
    name,
    number,
    label: optional,
    type: Type.STRING,
    jsonName: name,
    options,
    oneofIndex,
  });
  const entry = (name: string, valueType: Type, typeName?: string) => ({
    name,
    options: { mapEntry: true },
    field: [
      text("key", 1),
      { name: "value", number: 2, label: optional, type: valueType, typeName, jsonName: "value" },
    ],
  });
  const folder = create(FileDescriptorProtoSchema, {
    name: "test/v1/folder.proto",
    package: "test.v1",
    syntax: "proto3",
    dependency: ["hr/privacy/v1/privacy.proto", "google/protobuf/any.proto"],
    messageType: [
      { name: "Person", field: [text("name", 1, marked()), text("desk", 2)] },
      {
        name: "Folder",
        nestedType: [entry("PeopleEntry", Type.MESSAGE, ".test.v1.Person"), entry("LabelsEntry", Type.STRING)],
        oneofDecl: [{ name: "contact" }],
        field: [
          {
            name: "people",
            number: 1,
            label: Label.REPEATED,
            type: Type.MESSAGE,
            typeName: ".test.v1.Folder.PeopleEntry",
            jsonName: "people",
          },
          {
            name: "labels",
            number: 2,
            label: Label.REPEATED,
            type: Type.MESSAGE,
            typeName: ".test.v1.Folder.LabelsEntry",
            jsonName: "labels",
            options: marked(),
          },
          {
            name: "attachment",
            number: 3,
            label: optional,
            type: Type.MESSAGE,
            typeName: ".google.protobuf.Any",
            jsonName: "attachment",
          },
          text("email", 4, marked(), 0),
          text("room", 5, undefined, 0),
          {
            name: "members",
            number: 6,
            label: Label.REPEATED,
            type: Type.MESSAGE,
            typeName: ".test.v1.Person",
            jsonName: "members",
          },
        ],
      },
    ],
  });
  set.file.push(file_google_protobuf_any.proto, folder);
  return new PrivacyMarks(createFileRegistry(set));
}

describe("scrubbing maps, oneofs and Any", () => {
  const folderMarks = withFolder();
  const folder = message(folderMarks, "test.v1.Folder");
  const employee = message(folderMarks, "hr.employee.v1.Employee");

  it("scrubs the values of a map of messages, and a marked map whole (its keys may be personal too)", () => {
    const json = {
      people: { "desk-1": { name: "Ada", desk: "1" }, "desk-2": { name: "Grace", desk: "2" } },
      labels: { "ada@example.com": "vip" },
      members: [{ name: "Ada", desk: "1" }],
    };
    expect(scrubJson(folderMarks, folder, json)).toEqual({
      people: { "desk-1": { name: PII, desk: "1" }, "desk-2": { name: PII, desk: "2" } },
      labels: PII,
      members: [{ name: PII, desk: "1" }],
    });
  });

  it("scrubs the chosen member of a oneof by its own mark", () => {
    expect(scrubJson(folderMarks, folder, { email: "ada@example.com" })).toEqual({ email: PII });
    expect(scrubJson(folderMarks, folder, { room: "B-12" })).toEqual({ room: "B-12" });
  });

  it("scrubs inside an Any of a known type, and replaces an Any of an unknown one whole", () => {
    const packed = create(folder, {
      attachment: anyPack(employee, create(employee, { id: "e1", givenName: "Ada", jobTitle: "Engineer" })),
      contact: { case: "email", value: "ada@example.com" },
    });
    expect(scrubMessage(folderMarks, folder, packed)).toEqual({
      attachment: {
        "@type": "type.googleapis.com/hr.employee.v1.Employee",
        id: "e1",
        givenName: PII,
        jobTitle: "Engineer",
      },
      email: PII,
    });
    const unknown = { attachment: { "@type": "type.googleapis.com/other.v1.Secret", whatever: "Ada" } };
    expect(scrubJson(folderMarks, folder, unknown)).toEqual({ attachment: PII });
  });

  it("finds the values of marked fields in every shape a message takes", () => {
    const values = (value: unknown) =>
      personalValues(folderMarks, folder, value)
        .map((found) => found.value)
        .sort();
    // A @bufbuild/protobuf message: a oneof as {case, value}, maps as objects.
    const asMessage = create(folder, {
      people: { d1: create(message(folderMarks, "test.v1.Person"), { name: "Ada", desk: "1" }) },
      labels: { "grace@example.com": "vip" },
      contact: { case: "email", value: "ada@example.com" },
    });
    expect(values(asMessage)).toEqual(["Ada", "ada@example.com", "grace@example.com", "vip"]);
    // A ts-proto object: a oneof as {$case, value}.
    expect(values({ contact: { $case: "email", value: "ada@example.com" }, members: [{ name: "Grace" }] })).toEqual([
      "Grace",
      "ada@example.com",
    ]);
    // Its JSON form.
    expect(values({ email: "ada@example.com", room: "B-12" })).toEqual(["ada@example.com"]);
  });
});

describe("redacting text", () => {
  it("replaces personal values in any case with their marker, longest first", () => {
    const values = [
      { value: "Ada", mark: "pii" as const },
      { value: "Ada@Example.com", mark: "pii" as const },
      { value: "hunter2", mark: "secret" as const },
    ];
    expect(redactText('duplicate "ada@example.com" for ADA, password hunter2', values)).toBe(
      `duplicate "${PII}" for ${PII}, password ${SECRET}`,
    );
  });
});
