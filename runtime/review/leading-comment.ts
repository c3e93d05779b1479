import type { DescEnum, DescEnumValue, DescField, DescMessage, DescMethod, DescService } from "@bufbuild/protobuf";
import type { SourceCodeInfo_Location } from "@bufbuild/protobuf/wkt";

/** The descriptors whose comments a review compares. */
export type Commented = DescService | DescMethod | DescMessage | DescField | DescEnum | DescEnumValue;

const locationsByFile = new WeakMap<object, Map<string, SourceCodeInfo_Location>>();

/**
 * The comment written above an element in its .proto, from the descriptor
 * set's source info; undefined when there is none. (The gateway's API
 * reference has its own reader, which also takes trailing comments; runtime/
 * may not import apps/.)
 */
export function leadingComment(desc: Commented): string | undefined {
  const file =
    desc.kind === "field" || desc.kind === "enum_value" || desc.kind === "rpc" ? desc.parent.file : desc.file;
  let locations = locationsByFile.get(file.proto);
  if (locations === undefined) {
    locations = new Map((file.proto.sourceCodeInfo?.location ?? []).map((at) => [at.path.join("."), at]));
    locationsByFile.set(file.proto, locations);
  }
  const raw = locations.get(sourcePath(desc).join("."))?.leadingComments;
  if (!raw) return undefined;
  // protoc keeps the space after "//" on every line: drop it, keep indentation beyond it.
  const text = raw
    .split("\n")
    .map((line) => (line.startsWith(" ") ? line.slice(1) : line).trimEnd())
    .join("\n")
    .trim();
  return text === "" ? undefined : text;
}

/** The element's path in its FileDescriptorProto (descriptor.proto's SourceCodeInfo). */
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
    case "enum":
      return desc.parent === undefined
        ? [5, desc.file.proto.enumType.indexOf(desc.proto)]
        : [...sourcePath(desc.parent), 4, desc.parent.proto.enumType.indexOf(desc.proto)];
    case "enum_value":
      return [...sourcePath(desc.parent), 2, desc.parent.proto.value.indexOf(desc.proto)];
  }
}
