import { execFileSync } from "node:child_process";
import { createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { messageSchemas } from "../../apps/gateway/api-reference/json-schemas.js";

// The API reference's schemas follow the proto3 JSON mapping (what Connect's
// JSON codec writes and reads), checked on a fixture message with a field of
// every kind, compiled by buf with its comments as the descriptor set is.

const FIXTURE = new URL("../fixtures/json-mapping", import.meta.url).pathname;
const BUF = new URL("../../node_modules/.bin/buf", import.meta.url).pathname;
const registry = createFileRegistry(
  fromBinary(FileDescriptorSetSchema, execFileSync(BUF, ["build", FIXTURE, "-o", "-"], { maxBuffer: 1 << 24 })),
);
const kinds = registry.getMessage("fixture.v1.Kinds");
if (kinds === undefined) throw new Error("fixture.v1.Kinds is not in the fixture");
const schemas = messageSchemas([kinds]);
const properties = (schemas["fixture.v1.Kinds"]?.properties ?? {}) as Record<string, Record<string, unknown>>;
const ref = (typeName: string) => `#/components/schemas/${typeName}`;

describe("JSON schemas of messages", () => {
  it("names fields by their lowerCamelCase JSON names", () => {
    expect(Object.keys(properties)).toContain("smallCount");
    expect(Object.keys(properties)).toContain("innerByName");
    expect(Object.keys(properties)).not.toContain("small_count");
  });

  it("writes 64-bit integers and bytes as strings, 32-bit ones and floats as numbers", () => {
    expect(properties.bigCount).toMatchObject({ type: "string", format: "int64" });
    expect(properties.unsignedBig).toMatchObject({ type: "string", format: "uint64" });
    expect(properties.smallCount).toMatchObject({ type: "integer", format: "int32" });
    expect(properties.unsignedSmall).toMatchObject({ type: "integer", minimum: 0 });
    expect(properties.ratio).toMatchObject({ type: "number" });
    expect(properties.flag).toMatchObject({ type: "boolean" });
    expect(properties.blob).toMatchObject({ type: "string", contentEncoding: "base64" });
    expect(schemas["fixture.v1.Inner.Deeper"]?.properties).toMatchObject({
      depth: { type: "string", format: "int64" },
    });
  });

  it("writes enums as their value names, described by their comments", () => {
    expect(properties.colour).toMatchObject({
      $ref: ref("fixture.v1.Colour"),
      description: "The colour, in a trailing comment.",
    });
    const colour = schemas["fixture.v1.Colour"];
    expect(colour).toMatchObject({ type: "string", enum: ["COLOUR_UNSPECIFIED", "COLOUR_RED", "COLOUR_BLUE"] });
    expect(colour?.description).toContain("- `COLOUR_RED`: Red.");
  });

  it("writes lists as arrays and maps as objects with string keys", () => {
    expect(properties.tags).toMatchObject({ type: "array", items: { type: "string" } });
    expect(properties.innerByName).toMatchObject({
      type: "object",
      additionalProperties: { $ref: ref("fixture.v1.Inner") },
    });
    expect(properties.namesByNumber).toMatchObject({
      type: "object",
      propertyNames: { pattern: "^-?[0-9]+$" },
      additionalProperties: { type: "string" },
    });
  });

  it("writes the well-known types in their JSON forms", () => {
    expect(schemas["google.protobuf.Timestamp"]).toMatchObject({ type: "string", format: "date-time" });
    expect(schemas["google.protobuf.Duration"]).toMatchObject({ type: "string" });
    expect(schemas["google.protobuf.FieldMask"]).toMatchObject({ type: "string" });
    expect(schemas["google.protobuf.Int64Value"]).toMatchObject({ type: ["string", "null"] });
    expect(schemas["google.protobuf.Struct"]).toMatchObject({ type: "object" });
    // Their descriptor's own fields (seconds, nanos, paths) never show.
    expect(schemas["google.protobuf.Timestamp"]).not.toHaveProperty("properties");
  });

  it("collects every message and enum reached, nested ones included, and only those", () => {
    expect(Object.keys(schemas).sort()).toEqual(
      [
        "fixture.v1.Kinds",
        "fixture.v1.Inner",
        "fixture.v1.Inner.Deeper",
        "fixture.v1.Colour",
        "google.protobuf.Timestamp",
        "google.protobuf.Duration",
        "google.protobuf.FieldMask",
        "google.protobuf.Int64Value",
        "google.protobuf.Struct",
      ].sort(),
    );
  });

  it("describes messages, fields and oneofs from the comments, and marks deprecated fields", () => {
    expect(schemas["fixture.v1.Kinds"]?.description).toContain("One field of each kind.");
    expect(schemas["fixture.v1.Kinds"]?.description).toContain("At most one of `choiceName`, `choiceNumber` is set.");
    expect(properties.bigCount?.description).toBe("A 64-bit integer: a string in JSON.");
    expect(properties.unsignedBig).not.toHaveProperty("description");
    expect(properties.oldCount).toMatchObject({ deprecated: true });
    expect(properties.nickname).toMatchObject({ type: "string" });
  });
});
