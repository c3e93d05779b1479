import {
  createFileRegistry,
  type DescEnum,
  type DescExtension,
  type DescField,
  type DescMessage,
  type DescService,
  type FileRegistry,
  fromBinary,
  getOption,
  hasOption,
  type JsonObject,
  ScalarType,
  toJson,
} from "@bufbuild/protobuf";
import { FileDescriptorSetSchema, MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { commentOf } from "../proto-comments.js";

/** The comment above an element: what a reviewer reads, and what a change of it shows. */
const leadingComment = (desc: Parameters<typeof commentOf>[0]) => commentOf(desc, { trailingToo: false });

/**
 * A contract as a review compares it: every service, method, message, field,
 * enum and enum value of the project's own .proto files (not the google/
 * imports), keyed by kind and full name, with what a change to it means.
 */

export type ElementKind = "service" | "method" | "message" | "field" | "enum" | "enum value";

/** The order elements are listed in, per package. */
export const KIND_ORDER: readonly ElementKind[] = ["service", "method", "message", "field", "enum", "enum value"];

export interface ContractElement {
  kind: ElementKind;
  package: string;
  /** Full name: "hr.employee.v1.EmployeeService.GetEmployee", "hr.employee.v1.Employee.given_name". */
  name: string;
  /** The element's shape, e.g. type, label, number, json name; a change here is a change of the element. */
  attributes: Readonly<Record<string, string>>;
  comment: string | undefined;
  /** Types a message's fields or a method's request and response refer to (full names). */
  references: readonly string[];
  /** Methods: the rpc path, "/<package>.<Service>/<Method>". */
  path?: string;
  /** Methods: the name generated clients call it by (ts-proto: the rpc name in lowerCamelCase). */
  clientName?: string;
  /** Methods: the idempotency_level option by name. */
  idempotency?: string;
  /** Methods: the (hr.auth.v1.authorization) option as JSON with proto field names; undefined when none. */
  authorization?: JsonObject | undefined;
  /** Fields: the privacy marks they carry ("pii", "secret"). */
  privacy?: readonly string[];
}

export type ContractModel = ReadonlyMap<string, ContractElement>;

const AUTHORIZATION = "hr.auth.v1.authorization";
const PRIVACY_MARKS = ["pii", "secret"] as const;

export function keyOf(kind: ElementKind, name: string): string {
  return `${kind} ${name}`;
}

export function contractModel(descriptorSet: Uint8Array): ContractModel {
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, descriptorSet));
  const model = new Map<string, ContractElement>();
  const add = (element: ContractElement) => model.set(keyOf(element.kind, element.name), element);
  const options = readOptions(registry);
  for (const file of registry.files) {
    if (file.name.startsWith("google/")) continue;
    const pkg = file.proto.package;
    for (const service of file.services) addService(service, pkg, options, add);
    for (const message of file.messages) addMessage(message, pkg, options, add);
    for (const enumeration of file.enums) addEnum(enumeration, pkg, add);
  }
  return model;
}

interface Options {
  authorization: DescExtension | undefined;
  privacy: (readonly [string, DescExtension])[];
}

/** The project's options as this descriptor set declares them (an old base may lack one). */
function readOptions(registry: FileRegistry): Options {
  const privacy: (readonly [string, DescExtension])[] = [];
  for (const mark of PRIVACY_MARKS) {
    const extension = registry.getExtension(`hr.privacy.v1.${mark}`);
    if (extension !== undefined) privacy.push([mark, extension]);
  }
  return { authorization: registry.getExtension(AUTHORIZATION), privacy };
}

function addService(service: DescService, pkg: string, options: Options, add: (e: ContractElement) => void): void {
  add({
    kind: "service",
    package: pkg,
    name: service.typeName,
    attributes: {},
    comment: leadingComment(service),
    references: [],
  });
  for (const method of service.methods) {
    const rule = options.authorization;
    add({
      kind: "method",
      package: pkg,
      name: `${service.typeName}.${method.name}`,
      attributes: { request: method.input.typeName, response: method.output.typeName, streaming: method.methodKind },
      comment: leadingComment(method),
      references: [method.input.typeName, method.output.typeName],
      path: `/${service.typeName}/${method.name}`,
      clientName: method.name.charAt(0).toLowerCase() + method.name.slice(1),
      idempotency: MethodOptions_IdempotencyLevel[method.idempotency] ?? String(method.idempotency),
      authorization:
        rule !== undefined && rule.fieldKind === "message" && hasOption(method, rule)
          ? (toJson(rule.message, getOption(method, rule) as never, { useProtoFieldName: true }) as JsonObject)
          : undefined,
    });
  }
}

function addMessage(message: DescMessage, pkg: string, options: Options, add: (e: ContractElement) => void): void {
  // Map entries are how a map field is encoded, not a message anyone wrote.
  if (message.proto.options?.mapEntry) return;
  add({
    kind: "message",
    package: pkg,
    name: message.typeName,
    attributes: {},
    comment: leadingComment(message),
    references: [...new Set(message.fields.flatMap(referencedTypes))].sort(),
  });
  for (const field of message.fields) {
    add({
      kind: "field",
      package: pkg,
      name: `${message.typeName}.${field.name}`,
      attributes: fieldAttributes(field),
      comment: leadingComment(field),
      references: referencedTypes(field),
      privacy: options.privacy.filter(([, option]) => getOption(field, option) === true).map(([mark]) => mark),
    });
  }
  for (const nested of message.nestedMessages) addMessage(nested, pkg, options, add);
  for (const nested of message.nestedEnums) addEnum(nested, pkg, add);
}

function addEnum(enumeration: DescEnum, pkg: string, add: (e: ContractElement) => void): void {
  add({
    kind: "enum",
    package: pkg,
    name: enumeration.typeName,
    attributes: {},
    comment: leadingComment(enumeration),
    references: [],
  });
  for (const value of enumeration.values) {
    add({
      kind: "enum value",
      package: pkg,
      name: `${enumeration.typeName}.${value.name}`,
      attributes: { number: String(value.number) },
      comment: leadingComment(value),
      references: [],
    });
  }
}

function fieldAttributes(field: DescField): Record<string, string> {
  const label =
    field.fieldKind === "list"
      ? "repeated"
      : field.fieldKind === "map"
        ? "map"
        : field.proto.proto3Optional
          ? "optional"
          : "";
  return {
    type: fieldType(field),
    label: label === "" ? "(none)" : label,
    number: String(field.number),
    "json name": field.jsonName,
    oneof: field.oneof?.name ?? "(none)",
  };
}

function scalarName(scalar: ScalarType): string {
  return ScalarType[scalar].toLowerCase();
}

function fieldType(field: DescField): string {
  switch (field.fieldKind) {
    case "scalar":
      return scalarName(field.scalar);
    case "enum":
      return field.enum.typeName;
    case "message":
      return field.message.typeName;
    case "list":
      return field.listKind === "scalar"
        ? scalarName(field.scalar)
        : field.listKind === "enum"
          ? field.enum.typeName
          : field.message.typeName;
    case "map": {
      const value =
        field.mapKind === "scalar"
          ? scalarName(field.scalar)
          : field.mapKind === "enum"
            ? field.enum.typeName
            : field.message.typeName;
      return `map<${scalarName(field.mapKey)}, ${value}>`;
    }
  }
}

function referencedTypes(field: DescField): string[] {
  if (field.fieldKind === "scalar") return [];
  if (field.fieldKind === "enum") return [field.enum.typeName];
  if (field.fieldKind === "message") return [field.message.typeName];
  if (field.fieldKind === "list") return field.listKind === "scalar" ? [] : [(field.enum ?? field.message).typeName];
  return field.mapKind === "scalar" ? [] : [(field.enum ?? field.message).typeName];
}
