import { type DescField, type DescMessage, type JsonValue, type Message, toJson } from "@bufbuild/protobuf";
import { type PrivacyMarks, SCRUBBED, type Sensitivity } from "./privacy-marks.js";

/**
 * Scrubbing by the contract's privacy marks, knowing no business field: a
 * marked field's whole value (a string, a nested message, a list, a map) is
 * replaced by its marker, wherever it sits: in nested messages, in every
 * element of a repeated field, in every value of a map, inside a
 * google.protobuf.Any. Works on the canonical protobuf JSON form, the one
 * written to captures and compared by replays.
 */

type JsonObject = { [key: string]: JsonValue };

/** A message as scrubbed JSON: `toJson` (with the marks' registry, for Any), then `scrubJson`. */
export function scrubMessage(marks: PrivacyMarks, desc: DescMessage, message: Message): JsonValue {
  return scrubJson(marks, desc, toJson(desc, message, { registry: marks.registry }));
}

/**
 * A copy of a message's JSON form with every marked field replaced by its
 * marker. Fails closed: a key the message does not declare (which nothing
 * can judge) is left out, and so is an Any whose type is not in the
 * descriptor set (it is replaced by the pii marker).
 */
export function scrubJson(marks: PrivacyMarks, desc: DescMessage, json: JsonValue): JsonValue {
  if (desc.typeName === "google.protobuf.Any") return scrubAny(marks, json);
  // Other well-known types have JSON forms of their own (a timestamp's string,
  // a Struct's free JSON) and declare no marks: kept as they are.
  if (desc.file.proto.package === "google.protobuf" || !isObject(json)) return json;
  const scrubbed: JsonObject = {};
  for (const [key, value] of Object.entries(json)) {
    const field = fieldOf(desc, key);
    if (field === undefined) continue;
    const mark = marks.of(field);
    scrubbed[key] = mark === undefined ? scrubValue(marks, field, value) : SCRUBBED[mark];
  }
  return scrubbed;
}

function scrubValue(marks: PrivacyMarks, field: DescField, value: JsonValue): JsonValue {
  switch (field.fieldKind) {
    case "message":
      return value === null ? null : scrubJson(marks, field.message, value);
    case "list":
      return field.listKind === "message" && Array.isArray(value)
        ? value.map((element) => scrubJson(marks, field.message, element))
        : value;
    case "map":
      return field.mapKind === "message" && isObject(value)
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubJson(marks, field.message, v)]))
        : value;
    default:
      return value;
  }
}

/** `{"@type": "type.googleapis.com/<name>", ...}`: scrubbed as the message it names. */
function scrubAny(marks: PrivacyMarks, json: JsonValue): JsonValue {
  if (!isObject(json)) return json;
  const url = json["@type"];
  const typeName = typeof url === "string" ? url.slice(url.lastIndexOf("/") + 1) : "";
  const desc = marks.registry.getMessage(typeName);
  if (desc === undefined) return SCRUBBED.pii;
  const { "@type": _, ...fields } = json;
  // A well-known type inside an Any is wrapped as {"@type", "value"}.
  const content =
    desc.file.proto.package === "google.protobuf" ? { value: scrubJson(marks, desc, fields.value ?? null) } : fields;
  return { "@type": url as string, ...(scrubJson(marks, desc, content) as JsonObject) };
}

/**
 * The values of the marked fields of a request or response, in any of its
 * shapes: a generated (ts-proto) object, a @bufbuild/protobuf message, or
 * its JSON form. What a log line must not quote: error messages that echo
 * them are redacted (redact.ts). Values shorter than two characters say
 * nothing about anyone and are left out, not to mangle every log line.
 */
export function personalValues(
  marks: PrivacyMarks,
  desc: DescMessage,
  value: unknown,
): { value: string; mark: Sensitivity }[] {
  const found: { value: string; mark: Sensitivity }[] = [];
  collect(marks, desc, value, found, 0);
  return found.filter((entry) => entry.value.length >= 2);
}

const MAX_DEPTH = 32;

function collect(
  marks: PrivacyMarks,
  desc: DescMessage,
  value: unknown,
  found: { value: string; mark: Sensitivity }[],
  depth: number,
): void {
  if (depth > MAX_DEPTH || typeof value !== "object" || value === null) return;
  const object = value as Record<string, unknown>;
  for (const field of desc.fields) {
    const fieldValue = fieldValueIn(field, object);
    if (fieldValue === undefined || fieldValue === null) continue;
    const mark = marks.of(field);
    if (mark !== undefined) {
      // A map's keys can be as personal as its values (a map keyed by email).
      const keys = field.fieldKind === "map" ? mapKeys(fieldValue) : [];
      for (const leaf of [...keys, ...leaves(fieldValue, 0)]) found.push({ value: leaf, mark });
      continue;
    }
    if (field.fieldKind === "message") collect(marks, field.message, fieldValue, found, depth + 1);
    else if (field.fieldKind === "list" && field.listKind === "message" && Array.isArray(fieldValue)) {
      for (const element of fieldValue) collect(marks, field.message, element, found, depth + 1);
    } else if (field.fieldKind === "map" && field.mapKind === "message") {
      for (const entry of mapValues(fieldValue)) collect(marks, field.message, entry, found, depth + 1);
    }
  }
}

/**
 * A field's value by the names each shape uses: localName (ts-proto and
 * @bufbuild/protobuf objects), jsonName or the proto name (JSON). A oneof
 * member of an object sits under its oneof, as `{case, value}`
 * (@bufbuild/protobuf) or `{$case, value}` (ts-proto).
 */
function fieldValueIn(field: DescField, object: Record<string, unknown>): unknown {
  for (const key of [field.localName, field.jsonName, field.name]) if (key in object) return object[key];
  const oneof = field.oneof;
  if (oneof === undefined) return undefined;
  const holder = object[oneof.localName] ?? object[oneof.name];
  if (typeof holder !== "object" || holder === null) return undefined;
  const { case: chosen, $case, value } = holder as { case?: string; $case?: string; value?: unknown };
  return (chosen ?? $case) === field.localName ? value : undefined;
}

function mapKeys(value: unknown): string[] {
  if (value instanceof Map) return [...value.keys()].map(String);
  return typeof value === "object" && value !== null ? Object.keys(value) : [];
}

function mapValues(value: unknown): unknown[] {
  if (value instanceof Map) return [...value.values()];
  return typeof value === "object" && value !== null ? Object.values(value) : [];
}

/** Every scalar inside a marked field's value, as text a log line could quote. */
function leaves(value: unknown, depth: number): string[] {
  if (typeof value === "string") return [value];
  if (typeof value === "number" || typeof value === "bigint") return [String(value)];
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? [] : [value.toISOString()];
  if (depth > MAX_DEPTH || typeof value !== "object" || value === null || value instanceof Uint8Array) return [];
  const inner = value instanceof Map ? [...value.values()] : Object.values(value);
  return inner.flatMap((element) => leaves(element, depth + 1));
}

/** The field a JSON key names: its JSON name, or its proto name (both are accepted by protobuf JSON). */
function fieldOf(desc: DescMessage, key: string): DescField | undefined {
  return desc.fields.find((field) => field.jsonName === key || field.name === key);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
