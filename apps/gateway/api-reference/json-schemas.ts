import { type DescEnum, type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { commentOf } from "../../../runtime/proto-comments.js";

/** A JSON Schema in OpenAPI 3.1's dialect, as far as the reference needs one. */
export type JsonSchema = { [keyword: string]: unknown };

const COMPONENTS = "#/components/schemas/";

// 64-bit integers are JSON strings: a JSON number would lose precision past 2^53.
const int64 = { type: "string", format: "int64", pattern: "^-?[0-9]+$" };
const uint64 = { type: "string", format: "uint64", pattern: "^[0-9]+$" };

/** Where a message's or enum's schema lives in the document: under its full proto name. */
export function schemaRef(desc: DescMessage | DescEnum): JsonSchema {
  return { $ref: `${COMPONENTS}${desc.typeName}` };
}

/**
 * The schemas of `roots` and of every message and enum they reach, keyed by
 * full proto name, as the proto3 JSON mapping writes them (the JSON Connect
 * sends and reads): fields under their lowerCamelCase JSON names, 64-bit
 * integers and bytes as strings, enums as their value names, the
 * well-known types in their string or plain-JSON forms. Descriptions are
 * the contracts' comments.
 */
export function messageSchemas(roots: Iterable<DescMessage>): Record<string, JsonSchema> {
  const schemas = new Map<string, JsonSchema>();
  const pending: (DescMessage | DescEnum)[] = [...roots];
  const reach = (desc: DescMessage | DescEnum) => {
    if (!schemas.has(desc.typeName)) pending.push(desc);
    return schemaRef(desc);
  };
  for (let desc = pending.pop(); desc !== undefined; desc = pending.pop()) {
    if (schemas.has(desc.typeName)) continue;
    schemas.set(
      desc.typeName,
      WELL_KNOWN[desc.typeName] ?? (desc.kind === "enum" ? enumSchema(desc) : objectSchema(desc, reach)),
    );
  }
  return Object.fromEntries([...schemas].sort(([a], [b]) => a.localeCompare(b)));
}

function objectSchema(message: DescMessage, reach: (desc: DescMessage | DescEnum) => JsonSchema): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const field of message.fields) properties[field.jsonName] = fieldSchema(field, reach);
  const oneofs = message.oneofs.map(
    (oneof) => `At most one of ${oneof.fields.map((field) => `\`${field.jsonName}\``).join(", ")} is set.`,
  );
  return described({ type: "object", properties }, [commentOf(message), ...oneofs], message.deprecated);
}

function fieldSchema(field: DescField, reach: (desc: DescMessage | DescEnum) => JsonSchema): JsonSchema {
  let schema: JsonSchema;
  switch (field.fieldKind) {
    case "scalar":
      schema = scalarSchema(field.scalar);
      break;
    case "enum":
      schema = reach(field.enum);
      break;
    case "message":
      schema = reach(field.message);
      break;
    case "list":
      schema = {
        type: "array",
        items:
          field.listKind === "scalar"
            ? scalarSchema(field.scalar)
            : reach(field.listKind === "enum" ? field.enum : field.message),
      };
      break;
    case "map":
      schema = {
        type: "object",
        // JSON object keys are strings: integer and bool keys are written as their text.
        propertyNames: mapKeySchema(field.mapKey),
        additionalProperties:
          field.mapKind === "scalar"
            ? scalarSchema(field.scalar)
            : reach(field.mapKind === "enum" ? field.enum : field.message),
      };
      break;
  }
  return described(schema, [commentOf(field)], field.deprecated);
}

function scalarSchema(scalar: ScalarType): JsonSchema {
  switch (scalar) {
    case ScalarType.STRING:
      return { type: "string" };
    case ScalarType.BOOL:
      return { type: "boolean" };
    case ScalarType.BYTES:
      return { type: "string", format: "byte", contentEncoding: "base64" };
    case ScalarType.DOUBLE:
      return { type: "number", format: "double" };
    case ScalarType.FLOAT:
      return { type: "number", format: "float" };
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return { type: "integer", format: "int32" };
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return { type: "integer", format: "uint32", minimum: 0, maximum: 4294967295 };
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return { ...uint64 };
    default:
      // INT64, SINT64, SFIXED64.
      return { ...int64 };
  }
}

function mapKeySchema(key: ScalarType): JsonSchema {
  if (key === ScalarType.STRING) return { type: "string" };
  if (key === ScalarType.BOOL) return { enum: ["true", "false"] };
  return { pattern: "^-?[0-9]+$" };
}

function enumSchema(desc: DescEnum): JsonSchema {
  const values = desc.values.map((value) => {
    const comment = commentOf(value);
    return `- \`${value.name}\`${comment === undefined ? "" : `: ${comment.replaceAll("\n", " ")}`}`;
  });
  return described(
    { type: "string", enum: desc.values.map((value) => value.name) },
    [commentOf(desc), values.join("\n")],
    desc.deprecated,
  );
}

function described(schema: JsonSchema, notes: (string | undefined)[], deprecated: boolean): JsonSchema {
  const description = notes.filter((note) => note !== undefined && note !== "").join("\n\n");
  return {
    ...schema,
    ...(description === "" ? {} : { description }),
    ...(deprecated ? { deprecated: true } : {}),
  };
}

/** The well-known types have their own JSON forms (the proto3 JSON mapping's table); wrappers may also be null. */
const WELL_KNOWN: Record<string, JsonSchema> = {
  "google.protobuf.Timestamp": {
    type: "string",
    format: "date-time",
    description: 'A point in time, RFC 3339 in UTC, e.g. "2024-01-15T09:30:00Z" (up to 9 fractional digits).',
  },
  "google.protobuf.Duration": {
    type: "string",
    pattern: "^-?[0-9]+(\\.[0-9]{1,9})?s$",
    description: 'A span of time in seconds with an "s" suffix, e.g. "1.5s".',
  },
  "google.protobuf.FieldMask": {
    type: "string",
    description: 'Field paths in lowerCamelCase, comma-separated, e.g. "givenName,familyName".',
  },
  "google.protobuf.Struct": { type: "object", description: "Any JSON object." },
  "google.protobuf.Value": { description: "Any JSON value." },
  "google.protobuf.ListValue": { type: "array", items: {}, description: "Any JSON array." },
  "google.protobuf.NullValue": { type: "null" },
  "google.protobuf.Empty": { type: "object", description: "An empty object." },
  "google.protobuf.Any": {
    type: "object",
    properties: { "@type": { type: "string", description: "The message's type URL." } },
    required: ["@type"],
    description: "A message of any type: its fields, or `value` for a well-known type, beside `@type`.",
  },
  "google.protobuf.DoubleValue": { type: ["number", "null"], format: "double" },
  "google.protobuf.FloatValue": { type: ["number", "null"], format: "float" },
  "google.protobuf.Int64Value": { ...int64, type: ["string", "null"] },
  "google.protobuf.UInt64Value": { ...uint64, type: ["string", "null"] },
  "google.protobuf.Int32Value": { type: ["integer", "null"], format: "int32" },
  "google.protobuf.UInt32Value": { type: ["integer", "null"], format: "uint32", minimum: 0 },
  "google.protobuf.BoolValue": { type: ["boolean", "null"] },
  "google.protobuf.StringValue": { type: ["string", "null"] },
  "google.protobuf.BytesValue": { type: ["string", "null"], format: "byte", contentEncoding: "base64" },
};
