import type {
  DescEnum,
  DescEnumValue,
  DescField,
  DescMessage,
  DescMethod,
  DescOneof,
  DescService,
} from "@bufbuild/protobuf";
import type { SourceCodeInfo_Location } from "@bufbuild/protobuf/wkt";

/** The descriptors whose comments the API reference shows and a contract review compares. */
export type Commented = DescService | DescMethod | DescMessage | DescField | DescOneof | DescEnum | DescEnumValue;

const locationsByFile = new WeakMap<object, Map<string, SourceCodeInfo_Location>>();

/**
 * The comment written above a service, method, message, field or enum in
 * its .proto (or, with `trailingToo`, after it on the same line when there is
 * none above), as the descriptor set's source info keeps it; undefined when
 * there is none, or when the set was built without source info. The API
 * reference shows either; a contract review compares the one above.
 * (@bufbuild/protoplugin's getComments does the same, but brings a second
 * TypeScript compiler into the gateway's dependencies.)
 */
export function commentOf(desc: Commented, { trailingToo = true } = {}): string | undefined {
  const file = fileOf(desc);
  let locations = locationsByFile.get(file.proto);
  if (locations === undefined) {
    locations = new Map(
      (file.proto.sourceCodeInfo?.location ?? []).map((at: SourceCodeInfo_Location) => [at.path.join("."), at]),
    );
    locationsByFile.set(file.proto, locations);
  }
  const location = locations.get(sourcePath(desc).join("."));
  const raw = location?.leadingComments || (trailingToo ? location?.trailingComments : undefined);
  if (!raw) return undefined;
  // protoc keeps the space after "//" on every line: drop it, keep the rest (lists, indented code).
  const text = raw
    .split("\n")
    .map((line) => (line.startsWith(" ") ? line.slice(1) : line).trimEnd())
    .join("\n")
    .trim();
  return text === "" ? undefined : text;
}

function fileOf(desc: Commented) {
  switch (desc.kind) {
    case "field":
    case "oneof":
    case "enum_value":
    case "rpc":
      return desc.parent.file;
    default:
      return desc.file;
  }
}

/** The element's path in its FileDescriptorProto, field numbers and indexes (descriptor.proto's SourceCodeInfo). */
function sourcePath(desc: Commented): number[] {
  switch (desc.kind) {
    case "service":
      return [6, desc.file.proto.service.indexOf(desc.proto)];
    case "rpc":
      return [...sourcePath(desc.parent), 2, desc.parent.proto.method.indexOf(desc.proto)];
    case "message":
      return desc.parent === undefined
        ? [4, desc.file.proto.messageType.indexOf(desc.proto)]
        : [...sourcePath(desc.parent), 3, desc.parent.proto.nestedType.indexOf(desc.proto)];
    case "field":
      return [...sourcePath(desc.parent), 2, desc.parent.proto.field.indexOf(desc.proto)];
    case "oneof":
      return [...sourcePath(desc.parent), 8, desc.parent.proto.oneofDecl.indexOf(desc.proto)];
    case "enum":
      return desc.parent === undefined
        ? [5, desc.file.proto.enumType.indexOf(desc.proto)]
        : [...sourcePath(desc.parent), 4, desc.parent.proto.enumType.indexOf(desc.proto)];
    case "enum_value":
      return [...sourcePath(desc.parent), 2, desc.parent.proto.value.indexOf(desc.proto)];
  }
}
